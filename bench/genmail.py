#!/usr/bin/env python3
"""Generates a deterministic, realistic POP3 mailbox for bench/run.sh.

    genmail.py MAILDIR COUNT TARGET_MB SEED [FIRST]  fill MAILDIR/new with COUNT messages, numbered from
                                                     FIRST (default 1): file names and Message-IDs
                                                     stay unique when more are delivered later
    genmail.py --big FILE ATTACHMENT_MB SEED          write one message with a large attachment
    genmail.py --tiny MAILDIR COUNT SEED              fill MAILDIR/new with COUNT small plain-text messages
                                                     (~0.5 KB each; for the ledger scenario, where the
                                                     count matters and the bytes do not)

The mix: plain text (English and non-ASCII), HTML+text alternatives, messages with attachments of
various sizes (PDF-, image-, zip-like binary, base64), quoted-printable bodies, encoded headers
and file names, and a few messages of several MB. Sizes are scaled so the whole mailbox is about
TARGET_MB. The same arguments always give the same bytes.
"""
import base64
import os
import random
import sys
from email.header import Header

SUBJECTS = [
    "Quarterly report", "Re: Invoice 2024-{n}", "Meeting notes", "Fwd: Delivery status",
    "Ticket #{n}: printer offline", "Angebot Nr. {n} für Müller GmbH", "Счёт на оплату №{n}",
    "会議の議事録 {n}", "Re: Réunion de lundi", "Zamówienie {n} – potwierdzenie", "Status update",
]
NAMES = [("Alice Smith", "alice@example.com"), ("Jürgen Groß", "juergen@example.de"),
         ("Иван Петров", "ivan@example.ru"), ("山田太郎", "taro@example.jp"),
         ("Bob Jones", "bob@example.org"), ("Zoë Lefèvre", "zoe@example.fr")]
WORDS_EN = ("the of and to in is that for it as was with be by on not he this are or his from at "
            "which but have an they you were her all she there would their we him been has when "
            "invoice order delivery printer customer support ticket report meeting schedule").split()
WORDS_INTL = "für größer Straße Übersicht счёт оплата договор 会議 資料 確認 réunion déjà çà".split()
ATTACH_KINDS = [("application/pdf", "report-{n}.pdf"), ("image/jpeg", "photo_{n}.jpg"),
                ("application/zip", "archive {n}.zip"), ("image/png", "scan-{n}.png"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Übersicht-{n}.xlsx")]


def enc_header(text):
    try:
        text.encode("ascii")
        return text
    except UnicodeEncodeError:
        return Header(text, "utf-8").encode()


def addr(rng):
    name, email = rng.choice(NAMES)
    return f"{enc_header(name)} <{email}>"


def paragraph(rng, words, intl):
    pool = WORDS_EN + (WORDS_INTL if intl else [])
    out, line = [], []
    for _ in range(words):
        line.append(rng.choice(pool))
        if len(" ".join(line)) > 66:
            out.append(" ".join(line))
            line = []
    if line:
        out.append(" ".join(line))
    return "\n".join(out)


def qp(text):
    # Quoted-printable by hand, so the output does not depend on the email package's line policy.
    out = []
    for line in text.split("\n"):
        enc, width = [], 0
        for ch in line.encode("utf-8"):
            piece = chr(ch) if (33 <= ch <= 126 and ch != 61) or ch == 32 else "=%02X" % ch
            if width + len(piece) > 73:
                enc.append("=\n")
                width = 0
            enc.append(piece)
            width += len(piece)
        s = "".join(enc)
        if s.endswith(" "):
            s = s[:-1] + "=20"
        out.append(s)
    return "\n".join(out)


def b64(data):
    s = base64.b64encode(data).decode("ascii")
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def headers(rng, n, content_type):
    subject = rng.choice(SUBJECTS).format(n=n)
    day = 1 + n % 28
    return (f"Return-Path: <bounce-{n}@example.com>\n"
            f"Received: from mx{n % 7}.example.net (mx{n % 7}.example.net [192.0.2.{n % 250}])\n"
            f"\tby pop.example.com with ESMTPS id {n:08x}; Mon, {day} Oct 2026 10:{n % 60:02d}:00 +0000\n"
            f"From: {addr(rng)}\nTo: {addr(rng)}\n"
            f"Subject: {enc_header(subject)}\n"
            f"Date: Mon, {day} Oct 2026 10:{n % 60:02d}:{n % 60:02d} +0000\n"
            f"Message-ID: <bench-{n}@example.com>\nMIME-Version: 1.0\n"
            f"Content-Type: {content_type}\n")


def text_body(rng, words, intl):
    body = paragraph(rng, words, intl)
    return ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            + qp(body) + "\n")


def html_body(rng, words, intl):
    paras = [paragraph(rng, max(10, words // 5), intl) for _ in range(5)]
    html = ("<html><head><style>p{font-family:Arial}</style></head><body>"
            + "".join(f"<p>{p}</p>\n" for p in paras) + "</body></html>")
    return ("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            + qp(html) + "\n")


def attachment(rng, n, size):
    ctype, name = rng.choice(ATTACH_KINDS)
    name = name.format(n=n)
    data = rng.randbytes(size)
    try:
        name.encode("ascii")
        disp = f'attachment; filename="{name}"'
    except UnicodeEncodeError:
        disp = "attachment; filename*=utf-8''" + "".join(
            c if c.isascii() and c.isalnum() or c in ".-_" else "".join("%%%02X" % b for b in c.encode()) for c in name)
    return (f'Content-Type: {ctype}; name="{name if name.isascii() else "file"}"\n'
            f"Content-Disposition: {disp}\nContent-Transfer-Encoding: base64\n\n" + b64(data) + "\n")


def multipart(subtype, boundary, parts):
    out = []
    for p in parts:
        out.append(f"--{boundary}\n{p}")
    out.append(f"--{boundary}--\n")
    return "\n".join(out)


def message(rng, n, attach_sizes, kind):
    intl = rng.random() < 0.35
    words = rng.randint(60, 600)
    if kind == "text" and not attach_sizes:
        return headers(rng, n, "text/plain; charset=utf-8").replace(
            "MIME-Version: 1.0\n", "MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n", 1) \
            + "\n" + qp(paragraph(rng, words, intl)) + "\n"
    alt_b = f"alt-{n:06d}"
    if kind == "html":
        body = f"Content-Type: multipart/alternative; boundary=\"{alt_b}\"\n\n" + multipart(
            "alternative", alt_b, [text_body(rng, words, intl), html_body(rng, words, intl)])
    else:
        body = text_body(rng, words, intl)
    if not attach_sizes:
        top = body.split("\n\n", 1)
        return headers(rng, n, top[0].split(": ", 1)[1].split("\n")[0]) + "\n" + top[1]
    mix_b = f"mix-{n:06d}"
    parts = [body] + [attachment(rng, n * 10 + i, s) for i, s in enumerate(attach_sizes)]
    return headers(rng, n, f'multipart/mixed; boundary="{mix_b}"') + "\nThis is a multi-part message in MIME format.\n\n" \
        + multipart("mixed", mix_b, parts)


def plan(rng, count, target_bytes):
    """Per message: (kind, [raw attachment sizes]). Scaled so the base64 total is near the target."""
    large = max(1, count // 400)            # ~5 messages of several MB among 2,100
    items = []
    for i in range(count):
        r = rng.random()
        kind = "html" if r < 0.40 else "text"
        sizes = []
        if i % (count // large if large else count + 1) == count // (2 * large) and len(items) < count:
            sizes = [rng.randint(2_500_000, 6_000_000)]
        elif rng.random() < 0.30:
            sizes = [int(rng.lognormvariate(10.8, 1.0)) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        items.append((kind, sizes))
    # Scale the attachment sizes so the total lands near the target (bodies are ~4 KB on average).
    body_bytes = count * 4500
    attach_raw = sum(sum(s) for _, s in items)
    want_raw = max(0, (target_bytes - body_bytes) * 3 // 4)
    factor = want_raw / attach_raw if attach_raw else 1.0
    return [(k, [max(200, int(s * factor)) for s in sizes]) for k, sizes in items]


def fill(maildir, count, target_mb, seed, first=1):
    rng = random.Random(seed)
    new = os.path.join(maildir, "new")
    tmp = os.path.join(maildir, "tmp")
    os.makedirs(new, exist_ok=True)
    os.makedirs(tmp, exist_ok=True)
    os.makedirs(os.path.join(maildir, "cur"), exist_ok=True)
    total = 0
    stamp = 1_700_000_000
    for n, (kind, sizes) in enumerate(plan(rng, count, target_mb * 1_000_000), start=first):
        raw = message(rng, n, sizes, kind).replace("\n", "\r\n").encode("utf-8")
        # Increasing stamps keep the server's order equal to generation order.
        name = f"{stamp + n}.M{n}P1Q{n}.bench"
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(raw)
        os.rename(os.path.join(tmp, name), os.path.join(new, name))
        total += len(raw)
    print(f"{count} messages, {total / 1e6:.1f} MB")


def big(path, attach_mb, seed):
    rng = random.Random(seed)
    chunk = 57 * 1024 * 16  # multiple of 57 bytes: each base64 line is 76 characters
    remaining = attach_mb * 1_000_000
    with open(path, "wb") as f:
        head = message(rng, 999_999, [1000], "text")
        head = head[:-len("--mix-999999--\n")]  # keep the text part and a small attachment, reopen
        f.write(head.replace("\n", "\r\n").encode())
        f.write(b"--mix-999999\r\nContent-Type: application/octet-stream; name=\"backup.bin\"\r\n"
                b"Content-Disposition: attachment; filename=\"backup.bin\"\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n")
        while remaining > 0:
            n = min(chunk, remaining)
            remaining -= n
            s = base64.b64encode(rng.randbytes(n))
            f.write(b"\r\n".join(s[i:i + 76] for i in range(0, len(s), 76)) + b"\r\n")
        f.write(b"--mix-999999--\r\n")
    print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB")


def tiny(maildir, count, seed):
    # The file names carry the size (S=) and the size with CRLF line ends (W=, the same: the files have CRLF), so
    # Dovecot answers LIST from the names instead of reading 100,000 files.
    rng = random.Random(seed)
    new = os.path.join(maildir, "new")
    for folder in ("new", "tmp", "cur"):
        os.makedirs(os.path.join(maildir, folder), exist_ok=True)
    stamp = 1_700_000_000
    for n in range(1, count + 1):
        raw = (headers(rng, n, "text/plain; charset=utf-8") + "\n" + paragraph(rng, rng.randint(20, 60), False) + "\n") \
            .replace("\n", "\r\n").encode("utf-8")
        name = f"{stamp + n}.M{n}P1Q{n}.bench,S={len(raw)},W={len(raw)}"
        with open(os.path.join(new, name), "wb") as f:
            f.write(raw)
    print(f"{count} small messages")


if __name__ == "__main__":
    if sys.argv[1] == "--big":
        big(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "--tiny":
        tiny(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        fill(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 1)
