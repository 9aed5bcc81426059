"""``bookwarden jobs run|list|enqueue``: the loop of the periodic jobs, and looking at it.

* ``run`` runs the loop until SIGTERM or Ctrl-C (``--interval SECONDS``, default 60);
  ``run --once`` runs what is due and exits (for cron), non-zero if a job failed.
* ``list`` shows each job: what it does, its interval, its last run and when it is next due.
* ``enqueue NAME`` queues a run now (recorded as ``job.requested``, by the installation).

See docs/jobs.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bookwarden.audit.context import audit_context, new_request_id

from ... import actions
from ...loop import JobInterrupted, Worker
from ...models import JobStatus
from ...registry import UnknownJob, all_jobs, format_every
from ...status import job_statuses


class Command(BaseCommand):
    help = "Run the periodic jobs (run), list them (list), or queue one now (enqueue)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Run the job loop (until SIGTERM or Ctrl-C).")
        run.add_argument(
            "--once", action="store_true", help="Run what is due now, then exit (for cron)."
        )
        run.add_argument(
            "--interval",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="Seconds between checks for due jobs (default 60).",
        )
        sub.add_parser("list", help="Each job, its interval, last run and next run.")
        enqueue = sub.add_parser("enqueue", help="Queue a run of a job now.")
        enqueue.add_argument("name", help="The job's name (see `bookwarden jobs list`).")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "run":
                self._run(options["once"], options["interval"])
            case "list":
                self._list()
            case "enqueue":
                self._enqueue(options["name"])

    def _say(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self.stdout.write(f"{stamp} {line}")

    def _run(self, once: bool, interval: float) -> None:
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        if not all_jobs():
            raise CommandError("No periodic jobs are registered.")
        worker = Worker(report=self._say)
        try:
            with worker.stop_on_signals():
                worker.recover()
                if once:
                    self._once(worker)
                    return
                self._say(f"Job loop started as {worker.worker}, checking every {interval:g} s.")
                worker.run_forever(interval)
        except (JobInterrupted, KeyboardInterrupt):
            # Stopped while a job ran: the run is marked abandoned and runs again next time.
            pass
        self._say("Job loop stopped.")

    def _once(self, worker: Worker) -> None:
        ran = worker.tick()
        failed = [r for r in ran if r.status == JobStatus.FAILED]
        self._say(f"Done: {len(ran)} run(s), {len(failed)} failed.")
        if failed:
            raise CommandError(
                "; ".join(f"job {r.name!r} (run #{r.pk}) failed: {r.error_summary}" for r in failed)
            )

    def _list(self) -> None:
        rows = job_statuses()
        if not rows:
            self.stdout.write("No periodic jobs are registered.")
            return
        for row in rows:
            job = row.job
            self.stdout.write(self.style.MIGRATE_HEADING(job.name))
            self.stdout.write(f"  {job.description}")
            self.stdout.write(f"  every:    {format_every(job.every)}")
            last = row.last
            if last is None:
                self.stdout.write("  last run: never")
            else:
                when = timezone.localtime(last.finished_at).strftime("%Y-%m-%d %H:%M:%S %Z")
                line = f"  last run: #{last.pk} {last.status} at {when}"
                if last.duration is not None:
                    line += f" ({last.duration.total_seconds():.1f} s)"
                if last.error:
                    line += f": {last.error_summary}"
                self.stdout.write(line)
            if row.running is not None:
                self.stdout.write(f"  running:  #{row.running.pk} on {row.running.claimed_by}")
            if row.next_due is None:
                self.stdout.write("  next due: when the loop next starts")
            else:
                when = timezone.localtime(row.next_due).strftime("%Y-%m-%d %H:%M:%S %Z")
                self.stdout.write(f"  next due: {when}{' (overdue)' if row.overdue else ''}")

    def _enqueue(self, name: str) -> None:
        with audit_context(request_id=new_request_id("cli-jobs-")):
            try:
                run = actions.request_run(name, actor=None)
            except UnknownJob as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {run.name} (run #{run.pk}); the job loop runs it within its interval "
                "(or now: bookwarden jobs run --once)."
            )
        )
