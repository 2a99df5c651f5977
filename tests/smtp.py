"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, with Django's SMTP
backend pointed at it. Letters are parsed as the receiving side sees them (headers decoded,
bodies in their charset), not taken from mail.outbox.

    def test_x(smtp_server):
        ...
        letter = smtp_server.wait_for(1)[0]
        assert "Комментарий" in smtp_server.text(letter)
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class SmtpServer:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self._running = False
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    # aiosmtpd's handler hook: the whole message, once the client sent DATA.
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()
        self._running = True

    def stop(self):
        if self._running:
            self.controller.stop()
            self._running = False

    def clear(self):
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, address: str | None = None, timeout: float = 10.0):
        """The letters received (to `address`), once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while True:
            letters = self.to(address) if address else list(self.messages)
            if len(letters) >= count or time.monotonic() > deadline:
                return letters
            time.sleep(0.05)

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    @staticmethod
    def subject(message: EmailMessage) -> str:
        # Django folds a long encoded subject onto the next line; readers drop that space.
        return str(message["Subject"]).strip()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, server: SmtpServer) -> None:
    """Point Django's mail at the server (settings is pytest-django's fixture: it applies to
    the live server's thread too, and is restored after the test)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
