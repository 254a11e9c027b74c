from django.core.management.base import BaseCommand

from jobs.services import jobs_requeue


class Command(BaseCommand):
    help = "Queue again the jobs queued or running whose lease ran out (a killed worker, a restarted broker)."

    def handle(self, *args, **options):
        requeued = jobs_requeue()
        self.stdout.write(f"requeued={len(requeued)} jobs={','.join(map(str, requeued))}")
