"""Issue an API key for an intake channel (hotline 111 …); the key is printed once."""

from django.core.management.base import BaseCommand, CommandError

from treem.protection.codes import Channel
from treem.protection.models import ChannelKey


class Command(BaseCommand):
    help = "Cấp khóa API cho một kênh tiếp nhận tin báo (vd tổng đài 111); khóa chỉ in ra một lần."

    def add_arguments(self, parser):
        parser.add_argument("name", help="tên hệ thống gọi, vd 'Tổng đài 111'")
        parser.add_argument(
            "--channel", default=Channel.HOTLINE_111, help=f"kênh: {', '.join(Channel.values)}"
        )
        parser.add_argument("--revoke", action="store_true", help="thu hồi mọi khóa đang dùng có tên này")

    def handle(self, *args, name, channel, revoke, **options):
        if channel not in Channel.values:
            raise CommandError(f"Kênh «{channel}» không có trong danh mục: {', '.join(Channel.values)}.")
        if revoke:
            n = ChannelKey.objects.filter(name=name, active=True).update(active=False)
            self.stdout.write(f"Đã thu hồi {n} khóa.")
            return
        _, key = ChannelKey.issue(name, channel)
        self.stdout.write(key)
