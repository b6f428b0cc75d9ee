#!/usr/bin/env python3
"""Writes labelled.jsonl: realistic texts with the indicators they contain.

Deterministic (fixed seed). The checksummed values (Bitcoin, Ethereum, Monero) and the IDN
A-labels are computed here, independently of the Rust code under test: Keccak-256, bech32,
base58check and Monero's base58 are written out below from their specifications, and
A-labels come from Python's own IDNA codec.

Hand-written, hand-labelled texts from handwritten.jsonl are appended.

Run from this directory: python3 make_labelled.py > labelled.jsonl
"""

import hashlib
import ipaddress
import json
import random

rng = random.Random(20240115)

# ---------------------------------------------------------------- Keccak-256 (not SHA3-256)

ROUND_CONSTANTS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
ROTATIONS = [
    [0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
MASK = (1 << 64) - 1


def rotl(value, shift):
    return ((value << shift) | (value >> (64 - shift))) & MASK if shift else value


def keccak_f(state):
    for constant in ROUND_CONSTANTS:
        c = [state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rotl(c[(x + 1) % 5], 1) for x in range(5)]
        state = [[state[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = rotl(state[x][y], ROTATIONS[x][y])
        state = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        state[0][0] ^= constant
    return state


def keccak256(data):
    rate = 136
    padded = bytearray(data) + b"\x01"
    while len(padded) % rate:
        padded.append(0)
    padded[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for offset in range(0, len(padded), rate):
        block = padded[offset:offset + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            state[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        state = keccak_f(state)
    out = b""
    for i in range(4):
        out += state[i % 5][i // 5].to_bytes(8, "little")
    return out


assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"

# ---------------------------------------------------------------- Bitcoin, Ethereum, Monero

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data):
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def base58check(version, payload):
    data = bytes([version]) + payload
    return base58(data + hashlib.sha256(hashlib.sha256(data).digest()).digest()[:4])


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def polymod(values):
    generators = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generators[i] if (top >> i) & 1 else 0
    return checksum


def segwit(version, program):
    data, acc, bits = [version], 0, 0
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 1 if version == 0 else 0x2BC830A3
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    check = polymod(hrp + data + [0] * 6) ^ const
    data += [(check >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH32[d] for d in data)


assert segwit(0, bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")) == \
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def rand_bytes(count):
    return bytes(rng.randrange(256) for _ in range(count))


def bitcoin():
    choice = rng.randrange(5)
    if choice == 0:
        return base58check(0, rand_bytes(20))
    if choice == 1:
        return base58check(5, rand_bytes(20))
    if choice == 2:
        return segwit(0, rand_bytes(20))
    if choice == 3:
        return segwit(0, rand_bytes(32))
    return segwit(1, rand_bytes(32))


def eip55(address_hex):
    digest = keccak256(address_hex.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c
                          for i, c in enumerate(address_hex))


assert eip55("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def ethereum():
    address = rand_bytes(20).hex()
    form = rng.randrange(3)
    surface = eip55(address) if form == 0 else "0x" + address if form == 1 else "0x" + address.upper()
    return surface, "0x" + address


def monero():
    prefix, size = rng.choice([(18, 64), (42, 64), (19, 72)])
    data = bytes([prefix]) + rand_bytes(size)
    data += keccak256(data)[:4]
    widths = [0, 2, 3, 5, 6, 7, 9, 10, 11]
    out = ""
    for offset in range(0, len(data), 8):
        block = data[offset:offset + 8]
        number = int.from_bytes(block, "big")
        chars = ""
        for _ in range(widths[len(block)]):
            number, rest = divmod(number, 58)
            chars = B58[rest] + chars
        out += chars
    return out


# ---------------------------------------------------------------- other values

WORDS = ["update", "secure", "login", "cdn", "mail", "portal", "sync", "cloud", "verify", "account",
         "office", "files", "auth", "drive", "support", "news", "track", "data", "api", "docs",
         "micros0ft", "paypa1", "dropb0x", "teams", "outlook", "invoice", "bank", "wallet", "shop"]
TLDS = ["com", "net", "org", "ru", "cn", "io", "info", "xyz", "top", "online", "site", "co.uk",
        "com.br", "de", "fr", "su", "biz", "club", "live", "in", "nl", "jp", "example", "test"]
CYRILLIC = ["пример", "почта", "банк", "обновление", "вход", "сервис", "новости", "документы"]
IDN_TLDS = ["рф", "онлайн", "com", "net"]
PATHS = ["/gate.php", "/wp-content/plugins/update.js", "/api/v2/check", "/files/invoice.zip",
         "/download/setup.msi", "/index.html", "/a/b/c", "/panel/login.aspx", "/x.php?id=7",
         "/update?token=abc123&v=2", "/", "/download#section", "/s/Q1w2E3"]
FIRST = ["john", "maria", "a.petrov", "it-support", "admin", "billing", "hr", "noreply", "j.smith",
         "security", "ops", "finance.dept"]
TECHNIQUES = ["T1566.001", "T1566.002", "T1059.001", "T1190", "T1078", "T1486", "T1071.001",
              "T1027", "T1105", "T1003.001", "T1021.001", "T1485", "T1204.002", "T1133", "T1547.001",
              "T1055", "T0855", "T0831"]
CVES = ["CVE-2023-23397", "CVE-2021-44228", "CVE-2023-38831", "CVE-2022-30190", "CVE-2023-4966",
        "CVE-2024-3400", "CVE-2023-34362", "CVE-2021-26855", "CVE-2017-11882", "CVE-2024-21412",
        "CVE-2021-40444", "CVE-2018-13379", "CVE-2024-12345", "CVE-2019-0708"]


def ipv4():
    first = rng.choice([45, 91, 185, 193, 5, 89, 103, 146, 176, 213, 192, 198, 203, 8, 104])
    return f"{first}.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"


def ipv6():
    groups = [rng.randrange(1, 0xFFFF) for _ in range(8)]
    groups[0] = rng.choice([0x2001, 0x2A01, 0x2A02, 0x2604, 0x2400])
    form = rng.randrange(3)
    if form == 0:
        surface = ":".join(f"{g:x}" for g in groups)
    else:
        zeros = rng.randrange(2, 5)
        start = rng.randrange(1, 8 - zeros)
        for i in range(start, start + zeros):
            groups[i] = 0
        surface = str(ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups)))
    if rng.random() < 0.2:
        surface = surface.upper()
    return surface, str(ipaddress.IPv6Address(surface))


def cidr():
    if rng.random() < 0.7:
        prefix = rng.choice([16, 20, 22, 24, 28])
        network = ipaddress.IPv4Network(f"{ipv4()}/{prefix}", strict=False)
        return str(network)
    network = ipaddress.IPv6Network(f"{ipv6()[1]}/{rng.choice([32, 48, 64])}", strict=False)
    return str(network)


def domain():
    """(surface, canonical)"""
    if rng.random() < 0.12:
        label = rng.choice(CYRILLIC)
        tld = rng.choice(IDN_TLDS)
        unicode_name = f"{label}.{tld}"
        ascii_name = unicode_name.encode("idna").decode()
        return (unicode_name if rng.random() < 0.6 else ascii_name), ascii_name
    parts = [rng.choice(WORDS) + rng.choice(["", "-" + rng.choice(WORDS), str(rng.randrange(10, 99))])]
    if rng.random() < 0.3:
        parts.insert(0, rng.choice(["www", "cdn", "mail", "api", "dl", "static"]))
    name = ".".join(parts) + "." + rng.choice(TLDS)
    surface = name.upper() if rng.random() < 0.05 else name
    return surface, name


def defang_host(host):
    style = rng.randrange(6)
    if style == 0:
        index = host.rfind(".")
        return host[:index] + "[.]" + host[index + 1:]
    if style == 1:
        return host.replace(".", "[.]")
    if style == 2:
        index = host.rfind(".")
        return host[:index] + "(.)" + host[index + 1:]
    if style == 3:
        index = host.rfind(".")
        return host[:index] + "[dot]" + host[index + 1:]
    if style == 4:
        index = host.rfind(".")
        return host[:index] + "{.}" + host[index + 1:]
    return host.replace(".", "[.]")


def maybe_defang(surface, probability=0.35):
    return defang_host(surface) if rng.random() < probability else surface


def url():
    scheme = rng.choice(["http", "https", "https", "ftp"])
    if rng.random() < 0.2:
        host_surface = host_value = ipv4()
        if rng.random() < 0.5:
            port = rng.choice([8080, 443, 8443, 4444])
            host_surface += f":{port}"
            host_value += f":{port}"
    else:
        host_surface, host_value = domain()
    path = rng.choice(PATHS)
    defanged = rng.random() < 0.4
    if defanged and scheme.startswith("http"):
        scheme_surface = scheme.replace("tt", rng.choice(["xx", "XX"]))
        separator = rng.choice(["://", "://", "[://]", "[:]//"])
        host_shown = defang_host(host_surface) if rng.random() < 0.7 else host_surface
    else:
        scheme_surface, separator, host_shown = scheme, "://", host_surface
    return f"{scheme_surface}{separator}{host_shown}{path}", f"{scheme}://{host_value}{path}"


def email():
    local = rng.choice(FIRST)
    if rng.random() < 0.1:
        local += "+" + rng.choice(["alerts", "x", "2024"])
    host_surface, host_value = domain()
    value = f"{local}@{host_value}"
    if rng.random() < 0.35:
        at = rng.choice(["[at]", "(at)", "[@]", " [at] "])
        return f"{local}{at}{defang_host(host_surface) if rng.random() < 0.6 else host_surface}", value
    return f"{local}@{host_surface}", value


def hexdigest(length):
    while True:
        digest = "".join(rng.choice("0123456789abcdef") for _ in range(length))
        if any(c.isdigit() for c in digest) and any(c.isalpha() for c in digest):
            return (digest.upper() if rng.random() < 0.15 else digest), digest


PHONES = [
    ("+44 20 7946 {a:04d}", "+44207946{a:04d}"),
    ("+44 (0)20 7946 {a:04d}", "+44207946{a:04d}"),
    ("+1-202-555-{a:04d}", "+1202555{a:04d}"),
    ("+1 (415) 555-{a:04d}", "+1415555{a:04d}"),
    ("+7 (495) 123-{b:02d}-{c:02d}", "+7495123{b:02d}{c:02d}"),
    ("+7 916 555 {b:02d} {c:02d}", "+7916555{b:02d}{c:02d}"),
    ("+49 30 901820{c:02d}", "+4930901820{c:02d}"),
    ("+33 1 23 45 {b:02d} {c:02d}", "+3312345{b:02d}{c:02d}"),
    ("+86 10 6552 {a:04d}", "+86106552{a:04d}"),
    ("+971 4 555 {a:04d}", "+9714555{a:04d}"),
    ("+380 44 555 {a:04d}", "+38044555{a:04d}"),
    ("+98 21 8896 {a:04d}", "+98218896{a:04d}"),
    ("+442079460{b:03d}", "+442079460{b:03d}"),
]


def phone():
    surface, value = rng.choice(PHONES)
    numbers = {"a": rng.randrange(10000), "b": rng.randrange(100), "c": rng.randrange(100)}
    return surface.format(**numbers), value.format(**numbers)


def asn():
    number = rng.choice([13335, 15169, 8075, 16509, 14061, 24940, 9009, 49505, 202425, 44477, 4134, 12389])
    form = rng.choice(["AS{n}", "AS{n}", "ASN {n}", "AS {n}", "ASN{n}"])
    return form.format(n=number), f"AS{number}"


def cve():
    value = rng.choice(CVES)
    return (value.lower() if rng.random() < 0.1 else value), value


# Values of each kind as (surface, kind, value).
def make(kind):
    if kind == "ipv4":
        value = ipv4()
        return maybe_defang(value), kind, value
    if kind == "ipv6":
        surface, value = ipv6()
        return surface, kind, value
    if kind == "cidr":
        value = cidr()
        return value, kind, value
    if kind == "domain":
        surface, value = domain()
        return maybe_defang(surface), kind, value
    if kind == "url":
        surface, value = url()
        return surface, kind, value
    if kind == "email":
        surface, value = email()
        return surface, kind, value
    if kind in ("md5", "sha1", "sha256", "sha512"):
        surface, value = hexdigest({"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}[kind])
        return surface, kind, value
    if kind == "cve":
        surface, value = cve()
        return surface, kind, value
    if kind == "attack":
        value = rng.choice(TECHNIQUES)
        return value, kind, value
    if kind == "phone":
        surface, value = phone()
        return surface, kind, value
    if kind == "btc":
        value = bitcoin()
        return value, kind, value
    if kind == "eth":
        surface, value = ethereum()
        return surface, kind, value
    if kind == "xmr":
        value = monero()
        return value, kind, value
    if kind == "asn":
        surface, value = asn()
        return surface, kind, value
    raise ValueError(kind)


# ---------------------------------------------------------------- hard negatives (no label)

def negative():
    choices = [
        lambda: f"version {rng.randrange(1, 9)}.{rng.randrange(0, 20)}.{rng.randrange(0, 9)}.{rng.randrange(0, 200)}",
        lambda: f"v{rng.randrange(1, 12)}.0.{rng.randrange(10000, 22000)}.{rng.randrange(1, 999)}",
        lambda: f"build {rng.randrange(6, 11)}.{rng.randrange(0, 4)}.{rng.randrange(7000, 26000)}.{rng.randrange(1, 9999)}",
        lambda: f"Chrome {rng.randrange(100, 125)}.0.{rng.randrange(5000, 6500)}.{rng.randrange(10, 200)}",
        lambda: f"{rng.randrange(2019, 2026)}.{rng.randrange(1, 13):02d}.{rng.randrange(1, 29):02d}",
        lambda: f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(2019, 2026)}",
        lambda: f"{rng.randrange(2019, 2026)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z",
        lambda: f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}",
        lambda: "OID 1.3.6.1.4.1.311.21.7",
        lambda: "1.2.840.113549.1.1.11",
        lambda: rng.choice(["invoice.pdf", "report.docx", "setup.exe", "update.zip", "script.py", "README.md",
                            "payload.ps1", "clip.mov", "config.json", "readme.txt", "loader.dll", "Invoice_2024.xlsm",
                            "main.rs", "install.sh", "backup.tar.gz", "photo.jpg", "notes.one", "run.bat"]),
        lambda: "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([16, 24, 30, 36, 48, 56, 63, 65]))),
        lambda: "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)),
        lambda: "{" + "-".join("".join(rng.choice("0123456789ABCDEF") for _ in range(n)) for n in (8, 4, 4, 4, 12)) + "}",
        lambda: rng.choice(["020 7946 0958", "555-0143", "(555) 123-4567", "8 (495) 123-45-67", "1234567890",
                            "UTC+3", "+20 points", "C++ 2011", "1+1=2", "+5%"]),
        lambda: ":".join(f"{rng.randrange(256):02x}" for _ in range(6)),
        lambda: rng.choice(["e.g.", "i.e.", "Node.js", "System.Net.Http", "U.S.", "a.m.", "Ph.D.", "x86_64",
                            "std::string", "12.5%", "$1,234.56", "1.1.1.1.1", "10.0", "3.14159", "TLS 1.3",
                            "SHA-256", "AES-256-GCM", "Win32/Emotet", "Trojan.GenericKD.12345", "T-1000", "ASIA"]),
        lambda: "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                        for _ in range(rng.choice([24, 40, 44]))) + "==",
    ]
    return rng.choice(choices)()


# ---------------------------------------------------------------- texts

REPORT = [
    "The actor used {a} to stage payloads, then beaconed to {b} every 60 seconds.",
    "Initial access came through a phishing e-mail from {a}; the attachment dropped a loader ({b}).",
    "We observed exploitation of {a} against edge devices, followed by {b}.",
    "Infrastructure overlaps: {a} resolved to {b} between March and May.",
    "The sample (SHA-256 {a}) contacts {b} over HTTPS.",
    "IOCs: {a}, {b}.",
    "Block {a} and monitor for {b} in proxy logs.",
    "Ransom notes asked victims to pay to {a} or contact {b}.",
    "According to passive DNS, {a} was hosted on {b} until last week.",
    "Technique {a} was used alongside {b} for persistence.",
    "Attribution remains low confidence; see {a} and the earlier note on {b}.",
    "The C2 panel at {a} served a second stage signed with a certificate for {b}.",
]
MAIL = [
    "From: {a}\nTo: SOC team\nSubject: suspicious login\n\nHi team, we saw sign-ins from {b}. Regards",
    "Hello,\nplease find the invoice attached. If the link does not work, use {a}.\nCall me on {b}.\nBest",
    "-----Original Message-----\nFrom: {a}\nSent: Monday\nPlease verify your account at {b} within 24 hours.",
    "Dear customer, your payment failed. Update details: {a} or reply to {b}.",
]
CHAT = [
    "[10:42] analyst1: anyone seen {a} before?",
    "[10:43] analyst2: yes, it's on the list, related to {a} and {b}",
    "<bob> blocking {a} now",
    "<eve> vt says {a} is clean lol, but {b} is not",
    "ops: pushed fw rule for {a} + {b}",
]
RUSSIAN = [
    "Злоумышленники использовали домен {a} и адрес {b} для управления.",
    "Вредоносный файл (MD5 {a}) загружался с {b}.",
    "Контакты для выкупа: {a}, телефон {b}.",
]
ARABIC = [
    "استخدم المهاجمون الخادم {a} للتحكم، وتم رصد اتصالات مع {b}.",
    "وبحسب التقرير، فإن الملف (MD5 {a}) يتصل بـ{b} كل ساعة.",
    "ونُشرت صفحات التصيد على {a} و{b}.",
]
CHINESE = [
    "攻击者使用了{a}作为控制服务器，并通过{b}传播。",
    "样本哈希为{a}，连接到{b}。",
]

KIND_WEIGHTS = [
    ("ipv4", 10), ("ipv6", 4), ("cidr", 4), ("domain", 12), ("url", 10), ("email", 7), ("md5", 5),
    ("sha1", 4), ("sha256", 6), ("sha512", 2), ("cve", 5), ("attack", 4), ("phone", 4), ("btc", 4),
    ("eth", 3), ("xmr", 2), ("asn", 4),
]


def pick_kind():
    total = sum(weight for _, weight in KIND_WEIGHTS)
    point = rng.randrange(total)
    for kind, weight in KIND_WEIGHTS:
        if point < weight:
            return kind
        point -= weight
    return "ipv4"


def fill(template):
    expected = []
    text = template
    for slot in ("{a}", "{b}"):
        if slot not in text:
            continue
        if rng.random() < 0.15:
            surface = negative()
        else:
            kind = pick_kind()
            surface, kind, value = make(kind)
            expected.append({"kind": kind, "value": value})
        text = text.replace(slot, surface, 1)
    return text, expected


def paragraph():
    kind = rng.randrange(10)
    pieces = []
    expected = []
    if kind < 5:
        templates, count, joiner = REPORT, rng.randrange(2, 5), " "
    elif kind < 7:
        templates, count, joiner = MAIL, 1, "\n"
    elif kind < 9:
        templates, count, joiner = CHAT, rng.randrange(2, 5), "\n"
    else:
        templates, count, joiner = rng.choice([RUSSIAN, CHINESE, ARABIC]), rng.randrange(1, 3), " "
    for _ in range(count):
        text, found = fill(rng.choice(templates))
        if rng.random() < 0.3:
            text += " (" + negative() + ")"
        pieces.append(text)
        expected += found
    return joiner.join(pieces), expected


def main():
    lines = []
    total = 0
    while total < 650:
        text, expected = paragraph()
        total += len(expected)
        lines.append(json.dumps({"text": text, "expected": expected}, ensure_ascii=False))
    # Texts of hard negatives only.
    for _ in range(40):
        text = " ".join(negative() for _ in range(rng.randrange(3, 7)))
        lines.append(json.dumps({"text": "Notes: " + text + ".", "expected": []}, ensure_ascii=False))
    # Hand-written texts, labelled by hand.
    with open("handwritten.jsonl", encoding="utf-8") as handwritten:
        lines += [line.rstrip("\n") for line in handwritten if line.strip()]
    print("\n".join(lines))


main()
