"""The ``marketdesk`` command: run the app, its task worker and the demo; manage users;
export and import the strategy knowledge base.

It sets Django up itself (DJANGO_SETTINGS_MODULE defaults to ``marketdesk.settings``), so
it works straight after installation. Every failure is one line on stderr and a non-zero
exit code; ``--help`` describes each command.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Annotated

import django
import typer
from django.core.exceptions import ImproperlyConfigured, ValidationError


def _language() -> str:
    """The CLI speaks the language of the environment (MARKETDESK_LANGUAGE, then LANG)."""
    for name in ("MARKETDESK_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


def _setup() -> Exception | None:
    """Set Django up once; idempotent (under pytest-django it is already set up)."""
    from django.apps import apps

    if apps.ready:
        return None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        return exc
    from django.utils import translation

    translation.activate(_language())
    return None


# Set up at import: the help texts below are translated when the commands are declared.
_SETUP_ERROR = _setup()


def _(message: str) -> str:
    if _SETUP_ERROR is not None:
        return message
    from django.utils.translation import gettext

    return gettext(message)


def _fail(message: str, code: int = 1):
    typer.echo(_("Error: %(reason)s") % {"reason": message}, err=True)
    raise typer.Exit(code)


def _ready() -> None:
    if _SETUP_ERROR is not None:
        _fail(str(_SETUP_ERROR))


def _one_line(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for key, errors in exc.message_dict.items():
            for message in errors:
                parts.append(message if key == "__all__" else f"{key}: {message}")
        return "; ".join(parts)
    return "; ".join(exc.messages)


app = typer.Typer(
    name="marketdesk",
    help=_("MarketDesk: product strategy, marketing SOP and KPIs for a marketing team."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


# --- serving ------------------------------------------------------------------------------

STATIC_STAMP = ".marketdesk-static"


def _static_fingerprint() -> str:
    """A digest of every static source file (path, size, mtime) the finders see."""
    from django.apps import apps
    from django.contrib.staticfiles.finders import get_finders

    ignore = apps.get_app_config("staticfiles").ignore_patterns
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256()
    for entry in sorted(entries):
        digest.update(entry.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def collectstatic_if_stale() -> bool:
    """Run ``collectstatic`` when the static root lags behind the sources; True if it ran."""
    from django.conf import settings
    from django.core.management import call_command

    stamp = Path(settings.STATIC_ROOT) / STATIC_STAMP
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return False
    # --clear: collectstatic skips files whose copy is not older by a whole second.
    call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)
    return True


def _django_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "django", *args]


def _addrport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def supervise(commands: list[list[str]], *, grace: float = 10.0,
              env: dict[str, str] | None = None) -> int:
    """Run ``commands`` side by side until one ends or we get SIGINT/SIGTERM, then stop
    the others (SIGTERM, then SIGKILL after ``grace`` seconds). ``env`` adds variables to
    the children's environment. Returns the exit code of the process that ended first,
    or 0 when stopped by a signal."""
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "marketdesk.settings"),
           **(env or {})}
    stop = {"signal": None}

    def on_signal(signum, frame):
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[subprocess.Popen] = []
    try:
        for command in commands:
            processes.append(subprocess.Popen(command, env=env))
        exit_code = 0
        while stop["signal"] is None:
            ended = [p for p in processes if p.poll() is not None]
            if ended:
                exit_code = ended[0].returncode
                break
            time.sleep(0.2)
        return exit_code
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


#: The demo's team webhook posts here (demo/events_data.py WEBHOOK); only the demo's own
#: processes may send to a loopback address.
DEMO_RECEIVER_PORT = 8765
DEMO_ENV = {"MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP": "true"}


def _serve(host: str, port: int, *, with_worker: bool, reload: bool, demo: bool = False) -> None:
    if collectstatic_if_stale():
        typer.echo(_("Static files collected."))
    runserver = _django_command("runserver", _addrport(host, port))
    if not reload:
        runserver.append("--noreload")
    commands = [runserver]
    if with_worker:
        # run_worker = django-tasks-db's db_worker plus the job scheduler (schedule app).
        commands.append(_django_command("run_worker", "--queue-name", "*",
                                        "--reload" if reload else "--no-reload"))
    if demo:
        commands.append([sys.executable, "-m", "marketdesk.cli", "webhook-receiver",
                         "--port", str(DEMO_RECEIVER_PORT)])
    code = supervise(commands, env=DEMO_ENV if demo else None)
    if code:
        raise typer.Exit(code)


Host = Annotated[str, typer.Option("--host", help=_("Address to listen on."))]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help=_("Port to listen on."))]
WithWorker = Annotated[bool, typer.Option("--with-worker/--no-worker",
                                          help=_("Also run the background task worker."))]
Reload = Annotated[bool, typer.Option("--reload", help=_("Restart on code changes (development)."))]


@app.command(help=_("Serve MarketDesk (and, by default, its task worker) until Ctrl-C."))
def serve(host: Host = "127.0.0.1", port: Port = 8000, with_worker: WithWorker = True,
          reload: Reload = False) -> None:
    _ready()
    _serve(host, port, with_worker=with_worker, reload=reload)


@app.command(help=_("Run the background task worker (reminders, imports, webhooks)."))
def worker(
    queue: Annotated[str, typer.Option(
        "--queue", help=_("Queues to process, comma-separated; * means all."))] = "*",
) -> None:
    _ready()
    from django.core.management import call_command

    call_command("run_worker", "--queue-name", queue, "--no-reload")


# --- demo -----------------------------------------------------------------------------------

def _width(text: str) -> int:
    """Columns a terminal uses for ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    typer.echo(line(headers))
    typer.echo(line(["-" * w for w in widths]))
    for row in rows:
        typer.echo(line(row))


@app.command(help=_("Create the database, load the demo company and serve it."))
def demo(
    reset: Annotated[bool, typer.Option(
        "--reset", help=_("Erase the whole database and load the demo afresh."))] = False,
    serve_it: Annotated[bool, typer.Option(
        "--serve/--no-serve", help=_("Serve the app once the demo is loaded."))] = True,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    with_worker: WithWorker = True,
) -> None:
    _ready()
    from django.core.management import call_command
    from django.test import override_settings

    from marketdesk.core.roles import Role
    from marketdesk.demo.generator import DemoResetRefused, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    if reset:
        typer.echo(_("Erasing the database and loading the demo afresh…"))
    try:
        # The demo's webhook points at the local receiver: allowed in the demo only.
        with override_settings(MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP=True):
            summary = load_demo(reset=reset)
    except DemoResetRefused as exc:
        _fail(str(exc))
    except ValidationError as exc:
        _fail(_("The demo cannot be loaded into this database (%(reason)s). Use an empty "
                "database or --reset.") % {"reason": _one_line(exc)})
    if summary.loaded:
        typer.echo(_("Loaded the demo company 数研科技 DataSense."))
    else:
        typer.echo(_("The demo company is already loaded; reusing it."))
    from marketdesk.demo import metrics_data  # two years of KPI facts (MARKETDESK_DEMO_TOUCHPOINTS)

    metrics_data.load(reset=reset, echo=typer.echo)
    typer.echo(_("Open http://%(addr)s and sign in as:") % {"addr": _addrport(host, port)})
    _print_table(
        [_("username"), _("role"), _("team"), _("password")],
        [[login.username, str(Role(login.role).label),
          ", ".join(login.teams) or _("(all teams)"), login.password]
         for login in summary.logins],
    )
    if serve_it:
        typer.echo(_("Team chat messages are posted to the local receiver on port %(port)s "
                     "and printed here.") % {"port": DEMO_RECEIVER_PORT})
        _serve(host, port, with_worker=with_worker, reload=False, demo=True)


def describe_message(payload: object) -> str:
    """A chat message (any of the four vendors' payloads) as readable lines."""
    if not isinstance(payload, dict):
        return str(payload)
    lines: list[str] = []
    post = payload.get("content", {}).get("post") if isinstance(payload.get("content"), dict) else None
    if isinstance(post, dict) and post:  # Feishu / Lark
        body = next(iter(post.values()))
        lines.append(str(body.get("title", "")))
        for paragraph in body.get("content", []):
            lines.append("".join(str(part.get("href") or part.get("text", "")) if part.get("tag") == "a"
                                 else str(part.get("text", "")) for part in paragraph))
    elif isinstance(payload.get("markdown"), dict):  # DingTalk, WeCom
        markdown = payload["markdown"]
        lines.append(str(markdown.get("text") or markdown.get("content", "")))
    elif "blocks" in payload:  # Slack
        for block in payload["blocks"]:
            text = block.get("text", {})
            lines.append(str(text.get("text", "")))
    else:
        lines.append(json.dumps(payload, ensure_ascii=False))
    return "\n".join(line for line in lines if line)


#: What each chat tool answers on success (docs/notifications.md "Answers").
RECEIVER_ANSWERS = {
    "slack": ("text/plain; charset=utf-8", b"ok"),
    "feishu": ("application/json", b'{"code": 0, "msg": "success"}'),
    "": ("application/json", b'{"errcode": 0, "errmsg": "ok"}'),
}


def make_receiver(host: str, port: int, out=None):
    """A local HTTP server that accepts chat-webhook messages, prints them and answers
    like the chat tool named by the first part of the path (/feishu/…, /slack/…)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    write = out or (lambda text: typer.echo(text))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, 1_000_000))
            try:
                text = describe_message(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, json.JSONDecodeError):
                text = raw.decode("utf-8", "replace")
            write(_("— chat message to %(path)s —") % {"path": self.path} + "\n" + text)
            vendor = self.path.strip("/").split("/", 1)[0]
            content_type, body = RECEIVER_ANSWERS.get(vendor, RECEIVER_ANSWERS[""])
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            return

    return ThreadingHTTPServer((host, port), Handler)


@app.command("webhook-receiver",
             help=_("Receive team-chat webhook messages locally and print them (demo and testing)."))
def webhook_receiver(host: Host = "127.0.0.1", port: Annotated[int, typer.Option(
        "--port", min=1, max=65535, help=_("Port to listen on."))] = DEMO_RECEIVER_PORT) -> None:
    try:
        server = make_receiver(host, port)
    except OSError as exc:
        _fail(_("Cannot listen on %(addr)s: %(reason)s") % {
            "addr": _addrport(host, port), "reason": exc.strerror})
    typer.echo(_("Receiving chat messages on http://%(addr)s/") % {"addr": _addrport(host, port)})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- users ----------------------------------------------------------------------------------

@app.command(help=_("Create a user with a role and teams."))
def createuser(
    username: Annotated[str, typer.Argument(help=_("The sign-in name."))],
    role: Annotated[str, typer.Option(
        "--role", help=_("director, team_leader, marketer, reviewer, sales or admin."))],
    password: Annotated[str, typer.Option(
        "--password", prompt=True, hide_input=True, confirmation_prompt=True,
        help=_("The password; asked for when not given."))],
    team: Annotated[list[str] | None, typer.Option(
        "--team", help=_("Short name (slug) of a team the user belongs to; repeat for several."))
    ] = None,
    email: Annotated[str, typer.Option("--email", help=_("E-mail address."))] = "",
) -> None:
    _ready()
    from marketdesk.accounts.models import Team
    from marketdesk.accounts.services import user_create
    from marketdesk.core.roles import Role

    if role not in Role.values:
        _fail(_("Unknown role %(role)r; choose one of: %(roles)s.") % {
            "role": role, "roles": ", ".join(Role.values)})
    slugs = list(dict.fromkeys(team or []))
    teams = list(Team.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {t.slug for t in teams})
    if missing:
        known = ", ".join(Team.objects.order_by("slug").values_list("slug", flat=True))
        _fail(_("Unknown team %(team)r; the teams are: %(teams)s.") % {
            "team": missing[0], "teams": known or _("none yet")})
    try:
        user = user_create(username=username, password=password, role=role, teams=teams,
                           email=email, by=None)
    except ValidationError as exc:
        _fail(_("Cannot create the user: %(reason)s") % {"reason": _one_line(exc)})
    typer.echo(_("Created %(user)s (%(role)s).") % {
        "user": user.username, "role": Role(role).label})


# --- strategy knowledge base ----------------------------------------------------------------

def _counts_line(counts) -> str:
    from marketdesk.strategy.portable import COUNTED_MODELS

    return ", ".join(f"{n} {COUNTED_MODELS[k]._meta.verbose_name_plural}"
                     for k, n in counts.items())


@app.command("export", help=_("Write the strategy knowledge base as JSON."))
def export(
    product: Annotated[list[int] | None, typer.Option(
        "--product",
        help=_("Only this product id (and its team's competitors and research); repeatable."))
    ] = None,
    team: Annotated[list[str] | None, typer.Option(
        "--team", help=_("Only this team (slug); repeatable."))] = None,
    output: Annotated[str, typer.Option(
        "--output", "-o", help=_("File to write; - writes to standard output."))] = "-",
) -> None:
    _ready()
    from marketdesk.accounts.models import Team
    from marketdesk.strategy.portable import export_knowledge_base

    teams = None
    if team:
        teams = list(Team.objects.filter(slug__in=team))
        missing = sorted(set(team) - {t.slug for t in teams})
        if missing:
            _fail(_("Unknown team %(team)r.") % {"team": missing[0]})
    try:
        document = export_knowledge_base(teams=teams, product_ids=product or None)
    except ValidationError as exc:
        _fail(_one_line(exc))
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(_("Cannot write %(file)s: %(reason)s") % {"file": output, "reason": exc.strerror})
    typer.echo(_("Exported %(p)d products, %(c)d competitors and %(n)d research notes to "
                 "%(file)s.") % {"p": len(document["products"]),
                                 "c": len(document["competitors"]),
                                 "n": len(document["research_notes"]), "file": output},
               err=True)


@app.command("import", help=_("Load a strategy export (JSON) into a team: all or nothing."))
def import_(
    file: Annotated[str, typer.Argument(help=_("The JSON file; - reads standard input."))],
    team: Annotated[str | None, typer.Option(
        "--team", help=_("Short name (slug) of the team that receives the records; needed "
                         "when there are several teams."))] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run",
        help=_("Check everything and report what would be imported, without writing."))
    ] = False,
    actor: Annotated[str | None, typer.Option(
        "--as", help=_("Username recorded in the audit log as the author of the import."))
    ] = None,
) -> None:
    _ready()
    from marketdesk.accounts.models import Team, User
    from marketdesk.strategy.portable import import_knowledge_base

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        _fail(_("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror})
    except UnicodeDecodeError:
        _fail(_("%(file)s is not UTF-8 text.") % {"file": file})
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(_("%(file)s is not valid JSON (line %(line)d, column %(col)d: %(reason)s).") % {
            "file": file, "line": exc.lineno, "col": exc.colno, "reason": exc.msg})
    if team:
        target = Team.objects.filter(slug=team).first()
        if target is None:
            _fail(_("Unknown team %(team)r.") % {"team": team})
    else:
        teams = list(Team.objects.order_by("slug")[:2])
        if len(teams) != 1:
            _fail(_("Say which team receives the records with --team.") if teams
                  else _("There is no team yet; create one first."))
        target = teams[0]
    by = None
    if actor:
        by = User.objects.filter(username=actor).first()
        if by is None:
            _fail(_("Unknown user %(user)r.") % {"user": actor})
    try:
        result = import_knowledge_base(document, team=target, by=by, dry_run=dry_run)
    except ValidationError as exc:
        _fail(_("Nothing was imported: %(reason)s") % {"reason": _one_line(exc)})
    if dry_run:
        typer.echo(_("Dry run — %(team)s would receive: %(counts)s. Nothing was written.") % {
            "team": target.name, "counts": _counts_line(result.counts)})
    else:
        typer.echo(_("Imported into %(team)s: %(counts)s.") % {
            "team": target.name, "counts": _counts_line(result.counts)})


# --- metrics ----------------------------------------------------------------------------------

from marketdesk.metrics.commands import metrics_app  # noqa: E402 — it uses the helpers above

app.add_typer(metrics_app, name="metrics")


if __name__ == "__main__":  # python -m marketdesk.cli
    app()
