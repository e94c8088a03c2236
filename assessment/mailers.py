"""The development console mailer: e-mails printed so a person can read them (and their links)."""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class ReadableConsoleBackend(ConsoleBackend):
    """Prints text parts as UTF-8 text, not base64: a Chinese invitation's link is readable.

    What is printed is for reading only; real mail goes through SMTP with the usual encodings.
    """

    def write_message(self, message) -> None:
        msg = message.message()
        for part in msg.walk():
            if part.get_content_maintype() == "text" and part.get("Content-Transfer-Encoding", "") != "8bit":
                part.set_content(part.get_content(), subtype=part.get_content_subtype(), cte="8bit")
        self.stream.write(msg.as_bytes().decode("utf-8", errors="replace") + "\n")
        self.stream.write("-" * 79 + "\n")
