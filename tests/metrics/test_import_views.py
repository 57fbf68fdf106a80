"""The imports pages (O14): upload through the page, the job page with its progress
partial (HTMX) and its error report, the formula-safe error CSV; roles and team scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketdesk.metrics import store
from marketdesk.metrics.models import ImportJob

URL = "/metrics/imports/"
BAIDU = ("日期\t账户\t推广计划\t推广单元\t关键词\t展现\t点击\t消费\t平均点击价格\n"
         "2026-05-20\t示例科技\t品牌词\t品牌-核心\t示例科技\t1,200\t85\t¥432.10\t5.08\n")
BAD = ("日期\t账户\t推广计划\t推广单元\t关键词\t展现\t点击\t消费\t平均点击价格\n"
       "2026-05-20\t示例科技\t=HYPERLINK(\"x\")\t品牌-核心\t示例科技\t1,200\t85\t¥432.10\t5.08\n"
       "someday\t示例科技\t品牌词\t品牌-核心\t示例科技\t1,200\t85\t¥432.10\t5.08\n")


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def upload(client, team, text, name="report.csv", **extra):
    return client.post(URL, {"team": team.pk, "preset": "baidu_sem",
                             "file": SimpleUploadedFile(name, text.encode("gb18030")), **extra})


@pytest.mark.django_db
def test_upload_writes_and_shows_the_job(client_for, users, team_a):
    client = client_for(users["marketer"])
    response = upload(client, team_a, BAIDU)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    assert (job.status, job.rows_written, job.encoding) == ("done", 2, "gb18030")
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'data-testid="written">2<' in page
    assert len(store.files("spend")) == 1
    listing = client.get(URL).content.decode()
    assert "report.csv" in listing


@pytest.mark.django_db
def test_bad_file_refused_with_rows_and_nothing_written(client_for, users, team_a):
    client = client_for(users["team_leader"])
    upload(client, team_a, BAD)
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.rows_written == 0
    assert store.files("spend") == [] and store.files("touchpoints") == []
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'data-testid="row-errors"' in page
    assert [e["row"] for e in job.errors] == [2, 3]
    csv_text = client.get(f"{URL}{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines() == [
        "Row,Column,Reason", "2,推广计划,looks like a spreadsheet formula",
        "3,日期,“someday” is not a date and time (write 2026-05-20 14:30)"]


@pytest.mark.django_db
def test_progress_partial_for_htmx(client_for, users, team_a):
    client = client_for(users["marketer"])
    upload(client, team_a, BAIDU)
    job = ImportJob.objects.get()
    html = client.get(f"{URL}{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section id="import-progress"')
    assert "<nav" not in html


@pytest.mark.django_db
def test_bad_form_400_keeps_nothing(client_for, users, team_a):
    client = client_for(users["marketer"])
    response = client.post(URL, {"team": team_a.pk, "preset": "nope"})
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sales", "reviewer"])
def test_non_editors_403(client_for, users, role):
    assert client_for(users[role]).get(URL).status_code == 403


@pytest.mark.django_db
def test_other_team_job_404(client_for, users, team_a, team_b, make_user):
    upload(client_for(users["marketer"]), team_a, BAIDU)
    job = ImportJob.objects.get()
    outsider = make_user("marketer", username="other", teams=[team_b])
    client = client_for(outsider)
    assert client.get(f"{URL}{job.pk}/").status_code == 404
    assert client.get(f"{URL}{job.pk}/errors.csv").status_code == 404
