"""The development console mailer: e-mails printed so a person can read them (and their links)."""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class ReadableConsoleBackend(ConsoleBackend):
    """Prints text parts as UTF-8 text, not base64: a Chinese invitation's link is readable.
    An attachment (the report's PDF) is printed as one line with its name and size.

    What is printed is for reading only; real mail goes through SMTP with the usual encodings.
    """

    def write_message(self, message) -> None:
        msg = message.message()
        for part in msg.walk():
            if part.get_content_disposition() == "attachment":
                size, kind, name = (
                    len(part.get_payload(decode=True) or b""),
                    part.get_content_type(),
                    part.get_filename(),
                )
                note = f"[attachment {name}, {kind}, {size:,} bytes: not printed]"
                part.set_content(note, subtype="plain", cte="8bit", disposition="attachment", filename=name)
                continue
            if part.get_content_maintype() == "text" and part.get("Content-Transfer-Encoding", "") != "8bit":
                part.set_content(part.get_content(), subtype=part.get_content_subtype(), cte="8bit")
        self.stream.write(msg.as_bytes().decode("utf-8", errors="replace") + "\n")
        self.stream.write("-" * 79 + "\n")
