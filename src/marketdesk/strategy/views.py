from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketdesk.core import permissions as gate
from marketdesk.strategy import models as m


@login_required
def product_list(request):
    products = gate.restrict(m.Product.objects.select_related("team"), request.user)
    return render(request, "strategy/product_list.html", {"products": products})


@login_required
def competitor_list(request):
    competitors = gate.restrict(m.Competitor.objects.select_related("team"), request.user)
    return render(request, "strategy/competitor_list.html", {"competitors": competitors})


@login_required
def research_list(request):
    notes = gate.restrict(m.ResearchNote.objects.select_related("team", "product"), request.user)
    return render(request, "strategy/research_list.html", {"notes": notes})
