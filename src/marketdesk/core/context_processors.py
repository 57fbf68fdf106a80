from marketdesk.core.navigation import items_for


def shell(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav": []}
    return {"nav": items_for(request)}
