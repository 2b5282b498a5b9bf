"""Load everything TreEm needs to start: units, indicator catalogue, seed plans, demo users (idempotent)."""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính, danh mục chỉ số, các kế hoạch mẫu và tài khoản demo (chạy lại không nhân bản dữ liệu)."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="không tạo tài khoản và số liệu demo")

    def handle(self, *args, **options):
        from treem.accounts.demo import DEMO_PASSWORD, create_demo_users
        from treem.geo.models import AdministrativeUnit
        from treem.geo.services import load_all_units
        from treem.indicators.services import load_catalogue
        from treem.plans.services import load_seed_plans

        t0 = time.monotonic()
        if AdministrativeUnit.objects.filter(generation="2025").count() < 3000:
            counts = load_all_units()
            self.stdout.write(f"Đơn vị hành chính: {counts}")
        else:
            self.stdout.write("Đơn vị hành chính: đã có, bỏ qua")
        from treem.indicators.services import CATALOGUE

        if CATALOGUE.exists():
            self.stdout.write(f"Danh mục chỉ số: {load_catalogue()}")
        else:
            self.stderr.write(f"Không tìm thấy danh mục chỉ số {CATALOGUE}")
        from treem.core.calendar import load_holidays

        self.stdout.write(f"Lịch ngày nghỉ lễ, làm bù: {load_holidays()}")
        from treem.registry.services import load_epi_schedule

        self.stdout.write(f"Lịch tiêm chủng mở rộng: {load_epi_schedule()} mũi")  # also after a `flush`
        plans = load_seed_plans()
        self.stdout.write(f"Kế hoạch mẫu: {len(plans)} ({', '.join(p.number or p.key for p in plans)})")
        if not options["no_demo"]:
            users = create_demo_users()
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):"))
            for username, description in users:
                self.stdout.write(f"  {username:<22} {description}")
            from treem.protection.demo import DEMO_USERS as CASE_USERS
            from treem.protection.demo import load_demo_cases
            from treem.registry.demo import load_demo_children
            from treem.reporting.demo import load_demo_values

            self.stdout.write(f"Số liệu demo: {load_demo_values()}")
            self.stdout.write(f"Sổ theo dõi trẻ em demo: {load_demo_children()}")
            self.stdout.write(f"Bảo vệ trẻ em — {load_demo_cases()}")
            listed = {u for u, _ in users}
            for username, first, last, code, _level, role in CASE_USERS:
                if username not in listed:
                    self.stdout.write(
                        f"  {username:<22} {role.label} — {last.removeprefix('Demo ')} {first} (mã đơn vị {code})"
                    )
        self.stdout.write(f"Xong trong {time.monotonic() - t0:.1f} giây.")
