"""Load the PiOC framework, the report's sample and Part 4 charts, and the demo personas."""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.utils import timezone

from cities.models import Network, NetworkRole, Office, OfficeMembership, User
from criteria.models import Assessment, CriterionResponse, Framework, OfficeProfile
from criteria.seeding import SeedError, SeedReport, load_all, network_of, seed_round
from criteria.workflow import start_assessment

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo password, DEBUG only
DEMO_ROUND = "2026"
SECRETARIAT_GROUP = "Network secretariat"
#: Starts the title of every demonstration action, so no one mistakes it for the office's own.
DEMO_MARK = "[Demo] "
PALMIRA = "Palmira's Secretariat for Security and Coexistence"
PERSONAS = [
    # username, first, last, description
    ("demo-editor", "Elena", "Editor", f"editor of {PALMIRA}"),
    ("demo-viewer", "Victor", "Viewer", f"viewer of {PALMIRA}"),
    ("demo-lead", "Lucía", "Lead", f"lead of {PALMIRA} (an editor who manages its members)"),
    ("demo-editor-b", "Bea", "Editor", "editor of Oakland's Department of Violence Prevention"),
    ("demo-secretariat", "Sam", "Secretariat", "Peace in Our Cities secretariat (uses the admin)"),
    ("demo-researcher", "Rosa", "Researcher", "Peace in Our Cities researcher"),
]


def pending_migrations(database=DEFAULT_DB_ALIAS):
    connection = connections[database]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [migration for migration, _backwards in executor.migration_plan(targets)]


class Command(BaseCommand):
    help = (
        "Load the Peace in Our Cities framework, the report's 18-city sample, the four Part 4 "
        "charts as published assessments, Palmira's 2026 draft, and the demo logins. "
        "Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-personas",
            action="store_true",
            help="Load the data only; create no demo logins (allowed with DEBUG off).",
        )

    def handle(self, *args, no_personas=False, **options):
        if not no_personas and not settings.DEBUG:
            raise CommandError(
                "Refusing to create the demo logins: DEBUG is off, and their password is "
                "published. Set DJANGO_DEBUG=1 for a demo, or pass --no-personas to load "
                "only the data."
            )
        pending = pending_migrations()
        if pending:
            names = ", ".join(f"{m.app_label}.{m.name}" for m in pending[:5])
            raise CommandError(
                f"The database is not fully migrated ({len(pending)} pending: {names}). "
                "Run `python manage.py migrate` first; nothing was written."
            )
        try:
            with transaction.atomic():
                report = load_all()
                if not no_personas:
                    self.load_personas(report)
        except SeedError as exc:
            raise CommandError(f"Seed data problem, nothing was written: {exc}") from None

        if report.changed:
            self.stdout.write("Seeded:")
            for line in report.lines():
                self.stdout.write(line)
        else:
            self.stdout.write("Nothing to change: the database already holds the seed data.")
        if not no_personas:
            self.stdout.write(self.style.SUCCESS(f"Demo logins (password {DEMO_PASSWORD}):"))
            for username, _first, _last, description in PERSONAS:
                self.stdout.write(f"  {username:<18} {description}")

    def load_personas(self, report: SeedReport):
        pioc = Network.objects.get(slug="pioc")
        palmira = Office.objects.get(slug="palmira-security-coexistence")
        oakland = Office.objects.get(slug="oakland-dvp")
        users = {}
        for username, first, last, _description in PERSONAS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last,
                          "email": f"{username}@example.org"},
            )
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save()
                report.count(report.created if created else report.updated, User)
            # A verified address, so a persona also signs in by email and resets its password.
            address = EmailAddress.objects.filter(user=user, email=user.email).first()
            if address is None:
                EmailAddress.objects.create(user=user, email=user.email, verified=True,
                                            primary=True)
                report.count(report.created, EmailAddress)
            elif not (address.verified and address.primary):
                address.verified = address.primary = True
                address.save(update_fields=["verified", "primary"])
                report.count(report.updated, EmailAddress)
            users[username] = user

        wanted_offices = [
            (users["demo-editor"], palmira, OfficeMembership.Role.EDITOR),
            (users["demo-viewer"], palmira, OfficeMembership.Role.VIEWER),
            (users["demo-lead"], palmira, OfficeMembership.Role.LEAD),
            (users["demo-editor-b"], oakland, OfficeMembership.Role.EDITOR),
        ]
        for user, office, role in wanted_offices:
            _, created = OfficeMembership.objects.get_or_create(
                user=user, office=office, defaults={"role": role}
            )
            if created:
                report.count(report.created, OfficeMembership)
        for username, role in (
            ("demo-secretariat", NetworkRole.Role.SECRETARIAT),
            ("demo-researcher", NetworkRole.Role.RESEARCHER),
        ):
            _, created = NetworkRole.objects.get_or_create(
                user=users[username], network=pioc, role=role
            )
            if created:
                report.count(report.created, NetworkRole)

        secretariat = users["demo-secretariat"]
        group = self.secretariat_group(report)
        if not secretariat.is_staff:
            secretariat.is_staff = True
            secretariat.save(update_fields=["is_staff"])
        if not secretariat.groups.filter(pk=group.pk).exists():
            secretariat.groups.add(group)

        self.palmira_draft(report, palmira)
        self.palmira_plan(report, palmira, users["demo-editor"])
        self.palmira_exchange(report, palmira, users["demo-editor"])
        self.palmira_indicators(report, palmira, users["demo-editor"])

    def secretariat_group(self, report):
        """Admin rights over the network's data for the secretariat (its people's names only)."""
        group, created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
        # People: view and change (names and language only, cities/admin.py); never add or
        # delete. What a secretariat may touch is further scoped to its networks there.
        # Identity providers for single sign-on: its networks' only (cities/admin.py,
        # docs/sso.md); linked accounts and tokens stay the superuser's.
        wanted = set(
            Permission.objects.filter(
                Q(content_type__app_label__in=["cities", "criteria"])
                | Q(content_type__app_label="socialaccount", content_type__model="socialapp"))
            .exclude(content_type__model="user", codename__in=["add_user", "delete_user"])
            .values_list("pk", flat=True)
        )
        have = set(group.permissions.values_list("pk", flat=True))
        if created or wanted != have:
            group.permissions.set(wanted)
            report.count(report.created if created else report.updated, Group)
        return group

    def palmira_draft(self, report, palmira):
        """Palmira's 2026 self-assessment, started but empty, for demo-editor to fill in.

        Created once; never overwritten, so what the demo users typed survives a re-seed.
        """
        framework = Framework.objects.default()
        # The open 2026 round of Palmira's network, created once: it closes 45 days after the
        # day it was seeded, so the demo shows "due in N days".
        today = timezone.localdate()
        rnd = seed_round(report, network=network_of(palmira.city), framework=framework,
                         name=DEMO_ROUND, code=DEMO_ROUND,
                         opens_on=min(today, datetime.date(int(DEMO_ROUND), 1, 1)),
                         closes_on=today + datetime.timedelta(days=45), offices=[palmira])
        if Assessment.objects.filter(office=palmira, round=rnd).exists():
            return
        # The same blank start an editor gets from "Start a new assessment".
        assessment = start_assessment(office=palmira, round=rnd, by=None)
        report.count(report.created, Assessment)
        report.count(report.created, OfficeProfile)
        for _response in assessment.responses.all():
            report.count(report.created, CriterionResponse)

    def palmira_plan(self, report, palmira, editor):
        """Targets and a few actions on Palmira's draft, so the plan pages have something to
        show. Every action's title starts with DEMO_MARK: demonstration content, not the
        office's. Added only while the draft has no plan at all, so a re-seed never brings
        back or changes what the demo users did with it; the draft is never published."""
        from datetime import timedelta

        from django.utils import timezone

        from criteria.models import Action, CriterionTarget

        draft = Assessment.objects.filter(office=palmira, round__code=DEMO_ROUND,
                                          framework=Framework.objects.default()).first()
        if draft is None or draft.is_frozen or draft.targets.exists() \
                or draft.actions.exists():
            return
        criteria = {c.number: c for c in draft.framework.criteria.all()}
        today = timezone.localdate()
        for number, level, months in ((1, 3, 12), (3, 2, 18), (9, 3, 12)):
            CriterionTarget.objects.create(
                assessment=draft, criterion=criteria[number], level=level,
                target_date=today.replace(day=1) + timedelta(days=30 * months), updated_by=editor)
            report.count(report.created, CriterionTarget)
        demo = [
            (1, "Publish the office's founding decree and its goals on the city website",
             "Head of the office (example owner)", "", Action.Status.IN_PROGRESS,
             -60, 45, None, "", "The decree is linked from the office's page"),
            (3, "Commission an update of the local violence diagnosis",
             "Data and analysis team (example owner)", "A local university (example partner)",
             Action.Status.PLANNED, 30, 300, "45000000", "COP",
             "The updated diagnosis is added as evidence to criterion 3"),
            (9, "Publish a yearly activity report",
             "Communications lead (example owner)", "", Action.Status.PLANNED,
             -120, -14, None, "", "The report's link, added as evidence to criterion 9"),
        ]
        for number, title, owner, partners, status, start, due, amount, currency, done in demo:
            Action.objects.create(
                assessment=draft, criterion=criteria[number], title=f"{DEMO_MARK}{title}",
                owner=owner, partners=partners, status=status,
                start_date=today + timedelta(days=start), due_date=today + timedelta(days=due),
                cost_amount=amount, cost_currency=currency, done_when=done,
                created_by=editor, updated_by=editor,
            )
            report.count(report.created, Action)

    def palmira_exchange(self, report, palmira, editor):
        """One peer-exchange request from Palmira's draft to REACH Edmonton (level 3 on
        criterion 3 in its published 2023 assessment), so the inbox and the secretariat's
        list have something to show. Its message starts with DEMO_MARK; it is made once,
        while Palmira has sent no request, and nobody is emailed about it (its one event
        is marked told)."""
        from criteria.models import ExchangeEvent, ExchangeRequest, ExchangeSeen

        draft = Assessment.objects.filter(office=palmira, round__code=DEMO_ROUND,
                                          framework=Framework.objects.default()).first()
        peer = Office.objects.filter(slug="reach-edmonton").first()
        if draft is None or peer is None or \
                ExchangeRequest.objects.filter(requester_office=palmira).exists():
            return
        criterion = draft.framework.criteria.get(number=3)
        peer_response = CriterionResponse.objects.filter(
            assessment__office=peer, assessment__status=Assessment.Status.PUBLISHED,
            criterion=criterion).select_related("assessment").order_by(
            "-assessment__published_at").first()
        if peer_response is None:
            return
        message = (f"{DEMO_MARK}We would like to learn how you built a community-informed "
                   "baseline and keep it up to date with regular partner check-ins, before we "
                   "commission the update of our local violence diagnosis. A video call with "
                   "your data team would help.")
        exchange = ExchangeRequest.objects.create(
            assessment=draft, criterion=criterion, requester_office=palmira, peer_office=peer,
            peer_assessment=peer_response.assessment, peer_level=peer_response.level,
            message=message, created_by=editor, updated_by=editor)
        ExchangeEvent.objects.create(exchange=exchange, status=exchange.status, note=message,
                                     by=editor, notified_at=timezone.now())
        ExchangeSeen.objects.create(exchange=exchange, user=editor, seen_at=exchange.updated_at)
        report.count(report.created, ExchangeRequest)

    def palmira_indicators(self, report, palmira, editor):
        """A few indicators in Palmira's register, so the register, the criterion 3 and 9
        pages and the transition memo have something to show. Demonstration content: every
        name starts with DEMO_MARK and the values are made up, not Palmira's. Added only
        while the office has no indicator, so a re-seed never undoes what the demo users did.
        One is quarterly with its last value months ago, so the overdue flag shows."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from cities.models import Indicator, IndicatorValue

        if palmira.indicators.exists():
            return
        today = timezone.localdate()
        demo = [
            ("Young people reached by violence-interruption programmes", "process",
             "people", "quarterly", True,
             (Decimal(120), 2023), (Decimal(400), 2027), [(-420, 150), (-330, 190), (-240, 230)],
             "Demonstration content, made-up figures (example source: programme attendance "
             "records)"),
            ("Referrals followed up across agencies", "coordination",
             "% of referrals with a follow-up", "monthly",
             False, (Decimal(35), 2024), (Decimal(75), 2027), [(-75, 48), (-45, 52), (-15, 55)],
             "Demonstration content, made-up figures (example source: a referral log shared "
             "with partner agencies)"),
            ("Residents who feel safe walking at night", "perception",
             "% of survey respondents", "yearly", True,
             (Decimal(31), 2023), (Decimal(45), 2027), [(-700, 31), (-335, 34)],
             "Demonstration content, made-up figures (example source: a city perception survey)"),
        ]
        for name, kind, unit, cadence, public, base, target, values, source in demo:
            indicator = Indicator.objects.create(
                office=palmira, name=f"{DEMO_MARK}{name}", kind=kind, unit=unit,
                cadence=cadence, is_public=public, baseline_value=base[0],
                baseline_year=base[1], target_value=target[0], target_year=target[1],
                source=source, updated_by=editor)
            report.count(report.created, Indicator)
            for days, value in values:
                IndicatorValue.objects.create(indicator=indicator,
                                              on=today + timedelta(days=days),
                                              value=Decimal(value), created_by=editor)
                report.count(report.created, IndicatorValue)

