"""Sending the electronic copy by e-mail.

- `presets`: SMTP settings of common Chinese mailboxes, with notes on the 授权码.
- `secrets`: the password/授权码 in the OS keyring only (nothing stored when there is none).
- `message`: subject, Chinese body and attachment built from the zip's manifest; ``mailto:`` URL.
- `service`: `send_package` over implicit TLS or STARTTLS with verified certificates, Chinese
  `MailError` messages, the sent message saved as ``.eml``.
- `cli`: the ``zscq-desktop send`` command.

No Qt here: the GUI runs `send_package` through its background-job helper.
"""

from zscq_desktop.mail.message import (MailError, PackageSummary, body_for, compose, default_recipient, mailto_note, mailto_url,
                                       read_package, subject_for)
from zscq_desktop.mail.presets import PRESETS, Preset, guess_preset, preset_by_id
from zscq_desktop.mail.service import SendCancelled, SendResult, send_package

__all__ = ["MailError", "default_recipient", "PRESETS", "PackageSummary", "Preset", "SendCancelled", "SendResult", "body_for",
           "compose", "guess_preset", "mailto_note", "mailto_url", "preset_by_id", "read_package", "send_package",
           "subject_for"]
