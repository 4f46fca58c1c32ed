"""The bad-input corpus: bad or hostile inputs, each placed beside one good article.

Each case writes a folder (``sources/`` with the good article and the bad input, maybe a config)
and says what the run must do with the bad input:

- ``skip``: the run goes on, the bad input is refused in one line naming it (and ``words``);
- ``read``: the input is odd but is an article: it is read, and gives claims (``words``: a word
  one of its claims must hold);
- ``fatal``: nothing can run (a wrong setting, an unusable output folder or store): the command
  stops with one ``error:`` line holding ``words``, and nothing stored is lost.

In every case: no traceback, no hang, the good article's claims kept (``skip``/``read``).
``tests/test_bad_inputs.py`` runs every case through the command line; ``bench/bad_inputs.py``
prints the table with timings. The texts are written for this corpus.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

GOOD_NAME = "good.txt"
GOOD = """Harbour Gazette - Ferry runs aground off Lindholm

March 3, 2026

A passenger ferry ran aground off the island of Lindholm on Tuesday, and 14 people were injured, the coastguard said.

The ferry was carrying 212 passengers and 9 crew when it struck a sandbank in thick fog, according to the operator Nordlink.

Harbour master Jens Okafor said the vessel was refloated on Wednesday morning and towed to the port of Eskvik.

Three of the injured were taken to hospital in Eskvik with broken bones, a hospital spokeswoman said.
"""
# An English report of another outlet, for inputs that are articles in an odd form.
OTHER = """Coastal Times - Lindholm ferry accident

March 4, 2026

At least 16 people were hurt when a ferry hit a sandbank near Lindholm on Tuesday, police said.

The operator Nordlink said 210 passengers and 9 crew members were on board.
"""
HTML = """<!doctype html><html lang="en"><head><meta charset="{charset}"><title>Lindholm ferry accident</title>
<meta property="og:site_name" content="Coastal Times"></head><body><article><h1>Lindholm ferry accident</h1>
<p>At least 16 people were hurt when a ferry hit a sandbank near Lindholm on Tuesday, police said on Wednesday.</p>
<p>The operator Nordlink said 210 passengers and 9 crew members were on board when the ferry struck the bank.</p>
<p>{extra}</p></article></body></html>"""
SENTENCE = "The coastguard said that 14 people were injured when the ferry ran aground off Lindholm."


@dataclass
class Case:
    name: str
    files: dict[str, bytes | Callable[[Path], None]]  # path under the case folder -> bytes or writer
    expect: str  # "skip", "read" or "fatal"
    words: str = ""  # in the bad input's line (skip/fatal) or in one of its claims (read)
    mention: str = ""  # the name its line carries (default: the first file's name)
    args: tuple[str, ...] = ()  # extra command-line arguments ({dir} is the case folder)
    command: str = "run"  # "run", "add" or "clean"
    group: str = ""
    check: Callable[[Path], str] | None = None  # more to check after the run: "" or what is wrong
    env: dict[str, str] = field(default_factory=dict)

    @property
    def bad(self) -> str:
        return self.mention or Path(next(iter(self.files))).name


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def html(extra: str = "", charset: str = "utf-8") -> str:
    return HTML.format(extra=extra, charset=charset)


def symlink_to(target: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        outside = path.parent.parent / "outside"
        outside.mkdir(exist_ok=True)
        real = outside / target
        if target.endswith("/"):
            real.mkdir(exist_ok=True)
        else:
            real.write_text(OTHER, encoding="utf-8")
        path.symlink_to(real)
    return write


def dangling(path: Path) -> None:
    path.symlink_to(path.parent / "no-such-target.txt")


def directory(path: Path) -> None:
    path.mkdir()


def unreadable(path: Path) -> None:
    path.write_text(OTHER, encoding="utf-8")
    path.chmod(0)


def manifest(*rows: str, header: str = "file,outlet,published") -> bytes:
    return utf8(header + "\n" + "".join(r + "\n" for r in rows))


def no_claim_from(name: str, words: str) -> Callable[[Path], str]:
    """A check: no claim of ``name`` holds ``words``."""
    def check(out: Path) -> str:
        bad = [r["text"] for r in read_claims(out) if r["source"] == name and words in r["text"]]
        return f"claims of {name} hold {words!r}: {bad[:2]}" if bad else ""
    return check


def claims_of(name: str, at_most: int) -> Callable[[Path], str]:
    def check(out: Path) -> str:
        n = sum(r["source"] == name for r in read_claims(out))
        return f"{name} gave {n} claims (at most {at_most} expected)" if n > at_most else ""
    return check


def deep_html(depth: int) -> str:
    return html(extra="<div>" * depth + "A ferry struck a sandbank off Lindholm, officials said." + "</div>" * depth)


def config_case(name: str, toml: bytes, words: str, mention: str = "factcheck.toml") -> Case:
    """A run with a config file that cannot be used: one error line, nothing run."""
    return Case(name, {"factcheck.toml": toml}, "fatal", words, args=("--config", "{dir}/factcheck.toml"),
                mention=mention)


def cases() -> list[Case]:
    """Every case of the corpus (at least 70)."""
    s = "sources/"
    out: list[Case] = []

    def add(group: str, *items: Case) -> None:
        for c in items:
            c.group = group
            out.append(c)

    add("file",
        Case("empty file", {s + "empty.txt": b""}, "skip", "empty"),
        Case("whitespace only", {s + "blank.txt": b"  \n\n\t \n"}, "skip", "empty"),
        Case("PNG named .txt", {s + "scan.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8}, "skip", "binary"),
        Case("gzip named .html", {s + "page.html": zlib.compress(utf8(html()) * 20)}, "skip", ""),
        Case("random bytes", {s + "noise.txt": os.urandom(0) + bytes((i * 7919) % 256 for i in range(20000))}, "skip", ""),
        Case("PDF named .txt", {s + "report.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\x00" * 40}, "skip", "binary"),
        Case("a NUL in the middle", {s + "nul.txt": utf8(OTHER[:80]) + b"\x00" + utf8(OTHER[80:])}, "skip", ""),
        Case("directory named .txt", {s + "folder.txt": directory}, "skip", "", mention="folder.txt"),
        Case("symlink to a file outside the folder", {s + "link.txt": symlink_to("secret.txt")}, "skip", "outside"),
        Case("dangling symlink", {s + "gone.txt": dangling}, "skip", ""),
        Case("symlink to a directory", {s + "dir.txt": symlink_to("dir/")}, "skip", "", mention="dir.txt"),
        Case("over the size limit", {s + "dump.txt": utf8(OTHER * 200), "factcheck.toml": b"max_source_bytes = 5000\n"},
             "skip", "limit", args=("--config", "{dir}/factcheck.toml")),
        Case("file name with spaces and accents", {s + "Coastal Times – ferry é.txt": utf8(OTHER)}, "read", "16"),
        Case("file name starting with a dash", {s + "-ferry.txt": utf8(OTHER)}, "read", "16"),
        Case("no extension", {s + "coastal": utf8(OTHER)}, "read", "16"),
        Case("unknown outlet", {s + "x91.txt": utf8(OTHER.split("\n", 1)[1])}, "read", "16"),
        )
    if os.geteuid() != 0:  # root reads any file
        add("file", Case("unreadable file", {s + "locked.txt": unreadable}, "skip", ""))
    add("encoding",
        Case("UTF-16 with BOM", {s + "u16bom.txt": OTHER.encode("utf-16")}, "read", "16"),
        Case("UTF-16 LE without BOM", {s + "u16le.txt": OTHER.encode("utf-16-le")}, "read", "16"),
        Case("UTF-16 BE without BOM", {s + "u16be.txt": OTHER.encode("utf-16-be")}, "read", "16"),
        Case("UTF-8 with BOM", {s + "bom.txt": b"\xef\xbb\xbf" + utf8(OTHER)}, "read", "16"),
        Case("Windows-1252", {s + "cp.txt": (OTHER + "\nThe operator\u2019s chief said tickets cost \u20ac40.\n").encode("cp1252")},
             "read", "16"),
        Case("Latin-1 with accents", {s + "latin.txt": (OTHER + "\nThe caf\u00e9 owner Jos\u00e9 M\u00fcller said he saw it.\n").encode("latin-1")},
             "read", "16"),
        Case("mojibake", {s + "moji.txt": utf8(OTHER.replace("ferry", "ferry\u00e2\u20ac\u2122s"))}, "read", "16"),
        Case("HTML declaring the wrong charset", {s + "wrong.html": html("The caf\u00e9 owner said tickets cost \u20ac40.",
                                                                         charset="windows-1251").encode("cp1252")},
             "read", "caf\u00e9"),
        Case("HTML declaring UTF-8, saved as Windows-1252", {s + "cp.html": html("The operator\u2019s fare was \u20ac40.").encode("cp1252")},
             "read", "16"),
        Case("HTML declaring an unknown charset", {s + "odd.html": utf8(html(charset="x-no-such-charset"))}, "read", "16"),
        Case("invalid UTF-8 bytes", {s + "broken.txt": utf8(OTHER) + b"\xff\xfe\xfa\n" + utf8(SENTENCE)}, "read", "16"),
        Case("control characters", {s + "ctrl.txt": utf8(OTHER.replace(" were ", " were\x07\x1b "))}, "read", "16"),
        Case("zero-width characters in a number", {s + "zw.txt": utf8(OTHER.replace("16", "1\u200b6").replace("210", "2\u200d10"))},
             "read", "16", check=no_claim_from("zw.txt", "\u200b")),
        Case("soft hyphens and bidi marks", {s + "bidi.txt": utf8(OTHER.replace("sandbank", "sand\u00adbank\u200f").replace("police", "\u202apolice\u202c"))},
             "read", "16"),
        Case("non-breaking spaces", {s + "nbsp.txt": utf8(OTHER.replace(" ", "\u00a0"))}, "read", "16"),
        Case("CR line ends", {s + "mac.txt": utf8(OTHER).replace(b"\n", b"\r")}, "read", "16"),
        )
    add("language",
        Case("Chinese article", {s + "zh.txt": utf8("渡轮在林德霍尔姆附近搁浅\n\n周二，一艘渡轮在林德霍尔姆岛附近搁浅，海岸警卫队表示有14人受伤。"
                                                    "渡轮上共有212名乘客和9名船员。\n")}, "skip", "Chinese"),
        Case("Russian article", {s + "ru.txt": utf8("Паром сел на мель\n\nВо вторник паром сел на мель у острова Линдхольм, "
                                                   "пострадали 14 человек, сообщила береговая охрана. На борту было 212 пассажиров.\n")},
             "skip", "Cyrillic"),
        Case("Arabic article", {s + "ar.txt": utf8("جنوح عبارة\n\nقالت خفر السواحل إن عبارة جنحت يوم الثلاثاء قبالة جزيرة ليندهولم "
                                                  "وأصيب 14 شخصا. وكان على متنها 212 راكبا و9 من أفراد الطاقم.\n")}, "skip", "Arabic"),
        Case("Portuguese article", {s + "pt.txt": utf8("Balsa encalha perto de Lindholm\n\nUma balsa de passageiros encalhou na terça-feira "
                                                      "perto da ilha de Lindholm, e 14 pessoas ficaram feridas, segundo a guarda costeira. "
                                                      "A balsa levava 212 passageiros e 9 tripulantes quando bateu num banco de areia.\n")},
             "skip", "Portuguese"),
        Case("Russian HTML page", {s + "ru.html": utf8(html().replace(
            "At least 16 people were hurt when a ferry hit a sandbank near Lindholm on Tuesday, police said on Wednesday.",
            "Во вторник паром сел на мель у острова Линдхольм, пострадали 16 человек, сообщила полиция.").replace(
            "The operator Nordlink said 210 passengers and 9 crew members were on board when the ferry struck the bank.",
            "Оператор Nordlink сообщил, что на борту находились 210 пассажиров и 9 членов экипажа."))},
             "skip", "Cyrillic"),
        Case("English with a quoted foreign sentence", {s + "quote.txt": utf8(OTHER + "\n\u201cO barco bateu no banco de areia\u201d, "
                                                                          "one passenger told reporters.\n")}, "read", "16"),
        )
    add("furniture",
        Case("only page furniture", {s + "menu.txt": utf8("Home | World | Sport | Weather\nSubscribe now\n#ferry #Lindholm\n"
                                                         "Related articles\nDownload our app\nCookie settings\n")}, "skip", "no article"),
        Case("only a headline", {s + "title.txt": utf8("Ferry runs aground\n")}, "skip", ""),
        Case("cookie wall page", {s + "wall.html": utf8("<html><body><div class='consent'>We value your privacy. Accept all cookies "
                                                         "to continue. <button>Accept</button></div></body></html>")}, "skip", "no article"),
        Case("login page", {s + "login.html": utf8("<html><body><form><h2>Sign in</h2><input name=user><input type=password>"
                                                   "<button>Log in</button></form></body></html>")}, "skip", "no article"),
        Case("script-only page", {s + "app.html": utf8("<html><head><script>var a=1;</script></head><body><div id=root></div>"
                                                        "<script>render()</script></body></html>")}, "skip", "no article"),
        Case("truncated HTML", {s + "cut.html": utf8(html())[:420]}, "read", "16"),
        Case("deeply nested HTML", {s + "deep.html": utf8(deep_html(5000))}, "read", "16"),
        Case("hashtags and emoji", {s + "emoji.txt": utf8(OTHER + "\n#Lindholm #ferry \U0001F6A2\U0001F6A8\U0001F6A2 \U0001F44D\n"
                                                           + "\U0001F6A2" * 500 + "\n")}, "read", "16"),
        )
    add("size",
        Case("one paragraph of 300,000 characters", {s + "long.txt": utf8(OTHER + "\n" + " ".join([SENTENCE] * 3300) + "\n")},
             "read", "16"),
        Case("a 40,000-word sentence", {s + "words.txt": utf8(OTHER + "\nThe ferry " + " and the ferry".join([""] * 13000) + " sank.\n")},
             "read", "16", check=claims_of("words.txt", 40)),
        Case("one line of 500,000 letters", {s + "line.txt": utf8(OTHER + "\n" + "a" * 500_000 + "\n")}, "read", "16"),
        Case("240 KB of Markdown", {s + "big.md": utf8("# Lindholm ferry\n\n" + "".join(
            f"* [{i}](https://example.org/{i}) **bold {i}** _x_ `code` > quote\n\n{SENTENCE}\n\n" for i in range(1500)))},
             "read", "14"),
        Case("20,000 short lines", {s + "lines.txt": utf8(OTHER + "".join(f"Line {i}.\n" for i in range(20000)))}, "read", "16"),
        )
    add("parser",
        Case("initial that folds to nothing", {s + "init.txt": utf8(OTHER + "\n\u00d8. Solberg said that 40 people died in the flood.\n")},
             "read", "16"),
        Case("spaced possessive", {s + "poss.txt": utf8(OTHER + "\nThe spokesman, \u2019s Aliyev, said 40 people died.\n")}, "read", "16"),
        Case("huge numbers", {s + "nums.txt": utf8(OTHER + "\nOfficials said 99999999999999999999999999 people and 1e308 tonnes and "
                                                          "10^400 litres were counted, and 1,000,000,000,000,000 euros.\n")}, "read", "16"),
        Case("impossible dates", {s + "dates.txt": utf8(OTHER + "\nThe inquiry opens on 31 February and ends on 45/13/2026, "
                                                           "in the year 99999, police said.\n")}, "read", "16"),
        Case("unicode digits and minus", {s + "digits.txt": utf8(OTHER + "\nPolice said \u0661\u0664 people and \u221240 degrees "
                                                            "and \u00bd of the crew and \uff11\uff16 cars.\n")}, "read", "16"),
        Case("punctuation storm", {s + "punct.txt": utf8(OTHER + "\n" + "?!.,;:\u2026\u201c\u201d()[]{}" * 2000 + "\n")}, "read", "16"),
        Case("unbalanced quotes", {s + "quotes.txt": utf8(OTHER + "\n\u201cThe ferry was fine, said the captain. \"No one died "
                                                            + "\u201c" * 300 + "\n")}, "read", "16"),
        Case("Roman numerals and ordinals", {s + "roman.txt": utf8(OTHER + "\nPope Leo XIV and the 3rd and 21st and MMXXVI officials "
                                                                  "said 14 people were hurt.\n")}, "read", "16"),
        )
    add("manifest",
        Case("manifest that is binary", {s + "sources.csv": b"PK\x03\x04\x00\x00" + bytes(200)}, "skip", "binary", mention="sources.csv"),
        Case("manifest not UTF-8", {s + "sources.csv": "file,outlet\ngood.txt,Caf\u00e9 Post\n".encode("cp1252")},
             "skip", "UTF-8", mention="sources.csv"),
        Case("manifest of prose", {s + "sources.csv": utf8("These are my articles about the ferry.\n")}, "skip", "not a manifest",
             mention="sources.csv"),
        Case("manifest empty", {s + "sources.csv": b""}, "skip", "empty", mention="sources.csv"),
        Case("manifest unknown column", {s + "sources.csv": manifest("good.txt,Harbour Gazette,2026-03-03",
                                                                     header="file,outlet,date")}, "skip", "unknown column",
             mention="sources.csv"),
        Case("manifest row for a missing file", {s + "sources.csv": manifest("missing.txt,Coastal Times,2026-03-04")},
             "skip", "no file named", mention="sources.csv"),
        Case("manifest date 0001-01-01", {s + "old.txt": utf8(OTHER.replace("March 4, 2026\n", "") + "\nYesterday, last Monday and "
                                                            "next month, in December and on 3 February, police said 3 more.\n"),
                                          s + "sources.csv": manifest("old.txt,Coastal Times,0001-01-01")},
             "skip", "plausible", mention="sources.csv"),
        Case("manifest date 9999-12-31", {s + "late.txt": utf8(OTHER.replace("March 4, 2026\n", "") + "\nYesterday and next month, "
                                                             "police said 3 more.\n"),
                                          s + "sources.csv": manifest("late.txt,Coastal Times,9999-12-31")},
             "skip", "plausible", mention="sources.csv"),
        Case("manifest date not a date", {s + "sources.csv": manifest("good.txt,Harbour Gazette,03/03/2026")}, "skip", "not a date",
             mention="sources.csv"),
        Case("manifest duplicate rows", {s + "other.txt": utf8(OTHER),
                                         s + "sources.csv": manifest("other.txt,Coastal Times,2026-03-04", "other.txt,Wrong Outlet,2026-03-05")},
             "skip", "already described", mention="sources.csv"),
        Case("manifest unbalanced quote", {s + "other.txt": utf8(OTHER),
                                           s + "sources.csv": manifest('good.txt,"Harbour Gazette,2026-03-03', "other.txt,Coastal Times,2026-03-04")},
             "skip", "quote", mention="sources.csv"),
        Case("manifest extra cells", {s + "sources.csv": manifest("good.txt,Harbour Gazette,2026-03-03,extra")}, "skip", "more cells",
             mention="sources.csv"),
        Case("manifest ftp URL", {s + "sources.csv": utf8("file,url,outlet\n,ftp://example.org/a,Coastal Times\n")},
             "skip", "http(s)", mention="sources.csv"),
        )
    add("urls",
        Case("URL list with a file: address", {s + "urls.txt": utf8("file:///etc/passwd\n")}, "skip", "only http",
             mention="file:///etc/passwd"),
        Case("URL list with a javascript: address", {s + "urls.txt": utf8("javascript:alert(1)\n")}, "skip", "only http",
             mention="javascript:alert(1)"),
        Case("URL list with a data: address", {s + "urls.txt": utf8("data:text/html,<p>A%20ferry%20sank.</p>\n")}, "skip",
             "only http", mention="data:text/html"),
        Case("a data: address with spaces (read as text)", {s + "data.txt": utf8("data:text/html,<p>A ferry sank.</p>\n")},
             "skip", "no article"),
        Case("URL list to a loopback address", {s + "local.txt": utf8("http://127.0.0.1:9/article\n")}, "skip", "127.0.0.1",
             mention="127.0.0.1"),
        Case("URL list to a private address", {s + "private.txt": utf8("http://10.255.255.1/article\n")}, "skip", "10.255.255.1",
             mention="10.255.255.1"),
        Case("URL list to cloud metadata", {s + "meta.txt": utf8("http://169.254.169.254/latest/meta-data/\n")}, "skip", "169.254.169.254",
             mention="169.254.169.254"),
        )
    add("config",
        config_case("threshold given as a word", b'align_threshold = "high"\n', "align_threshold is 'high'"),
        config_case("workers as text", b'workers = "two"\n', "workers is 'two'"),
        config_case("negative neighbours", b"top_k = -3\n", "top_k is -3"),
        config_case("unknown setting", b"align_treshold = 0.5\n", "unknown setting"),
        config_case("config not TOML", b"align_threshold: 0.5\n", "not valid TOML"),
        config_case("misspelt check", b'checks = ["quantityy"]\n', "quantityy", mention="quantityy"),
        config_case("unknown backend", b'embedding_backend = "gpu"\n', "embedding_backend"),
        config_case("misspelt check option", b"[check_options.polarity]\nmin_cos = 0.8\n", "no such option",
                    mention="check_options.polarity.min_cos"),
        config_case("a setting that moved", b"polarity_min_cosine = 0.8\n", "now an option of the polarity check"),
        Case("config file missing", {}, "fatal", "not found", args=("--config", "{dir}/nope.toml"), mention="nope.toml"),
        )
    add("command",
        Case("--out below a file", {"afile": b"x"}, "fatal", "cannot write", args=("--out", "{dir}/afile/out"), mention="afile"),
        Case("store of an unknown driver", {}, "fatal", "", args=("--db", "nosuchdb://user:secret@host/db"), mention="nosuchdb"),
        Case("store in a missing folder", {}, "fatal", "", args=("--db", "sqlite:///{dir}/no/such/dir/fc.db"), mention="fc.db"),
        Case("sources folder missing", {}, "fatal", "no such folder", args=("{dir}/nowhere",), mention="nowhere"),
        Case("clean a missing file", {}, "fatal", "no such file", command="clean", args=("{dir}/nope.txt",), mention="nope.txt"),
        Case("add a binary file", {"scan.txt": b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(300)}, "skip", "binary", command="add",
             args=("{dir}/scan.txt",), check=lambda out: "the refused file was copied into the folder"
             if (out.parent / "sources" / "scan.txt").exists() else ""),
        Case("add a page with no article", {"menu.txt": utf8("Home | World | Sport\nSubscribe now\n")}, "skip", "no article",
             command="add", args=("{dir}/menu.txt",), check=lambda out: "the refused file was copied into the folder"
             if (out.parent / "sources" / "menu.txt").exists() else ""),
        Case("add a missing file", {}, "skip", "", command="add", args=("{dir}/nope.txt",), mention="nope.txt"),
        )
    return out


# --- running a case ------------------------------------------------------------------------------

OWN_PREFIXES = ("skipped: ", "error: ", "note: ")


def read_claims(out: Path) -> list[dict]:
    import csv

    path = out / "claims.csv"
    if not path.exists():
        return []
    from factcheck.export import restore

    csv.field_size_limit(1 << 30)  # a junk claim may be long; it must not stop the count
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(f)]


@dataclass
class Outcome:
    case: Case
    seconds: float
    exit_code: int
    traceback: str  # "" when none
    lines: list[str]  # what the command said on stderr
    problems: list[str]  # what the case demands and did not get

    @property
    def ok(self) -> bool:
        return not self.problems


def prepare(case: Case, root: Path) -> None:
    (root / "sources").mkdir(parents=True)
    (root / "sources" / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    for rel, content in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        else:
            path.write_bytes(content)


def command_line(case: Case, root: Path) -> list[str]:
    args = [a.replace("{dir}", str(root)) for a in case.args]
    defaults = {"--out": str(root / "out"), "--db": f"sqlite:///{root / 'fc.db'}"}
    if case.command == "clean":
        return ["clean", *args]
    given = {a for a in args if a.startswith("--")}
    options = [x for k, v in defaults.items() if k not in given for x in (k, v)]
    if case.command == "add":
        return ["add", *args, "--to", str(root / "sources"), "--no-progress", *options]
    positional = [] if args and not args[0].startswith("--") else [str(root / "sources")]
    return ["run", *positional, *args, "--no-progress", *options]


def good_claims(out: Path) -> int:
    return sum(r["source"] == GOOD_NAME for r in read_claims(out))


def claims_holding(out: Path, name: str, words: str) -> tuple[int, bool]:
    rows = [r for r in read_claims(out) if r["source"] == name]
    return len(rows), any(words in r["text"] for r in rows)


def run_case(case: Case, root: Path, baseline: int) -> Outcome:
    """Run ``case`` in the empty folder ``root`` through the command line (in this process: the
    models load once); ``baseline``: the good article's claims in a run of its own."""
    import time
    import traceback as tb

    from click.testing import CliRunner

    from factcheck.cli import main

    prepare(case, root)
    if case.command == "add":  # a run first: the addition joins it
        CliRunner().invoke(main, ["run", str(root / "sources"), "--no-progress", "--out", str(root / "out"),
                                  "--db", f"sqlite:///{root / 'fc.db'}"])
    t = time.perf_counter()
    result = CliRunner().invoke(main, command_line(case, root), env=case.env or None)
    seconds = time.perf_counter() - t
    trace = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(tb.format_exception(result.exception))[-2000:]
    stderr = result.stderr if hasattr(result, "stderr") else ""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    problems = []
    if trace or "Traceback" in result.output:
        problems.append("traceback")
    noise = [ln for ln in lines if not ln.startswith(OWN_PREFIXES)]
    if noise:
        problems.append(f"lines not the tool's own: {noise[:2]}")
    out = root / "out"
    mine = [ln for ln in lines if case.bad in ln]
    if case.expect == "fatal":
        errors = [ln for ln in lines if ln.startswith("error: ")]
        if result.exit_code == 0:
            problems.append("exit code 0")
        if len(errors) != 1 or case.words not in errors[0] or case.bad not in errors[0]:
            problems.append(f"not one error line naming {case.bad!r} with {case.words!r}: {errors}")
    else:
        if case.command != "add" and result.exit_code != 0:
            problems.append(f"exit code {result.exit_code}")
        kept = good_claims(out)
        if kept < baseline:
            problems.append(f"good article: {kept} of {baseline} claims")
        if case.expect == "skip":
            if len(mine) != 1 or case.words not in mine[0]:
                problems.append(f"not one line naming {case.bad!r} with {case.words!r}: {mine}")
        else:
            name = next(iter(case.files)).split("/", 1)[-1]
            n, holds = claims_holding(out, name, case.words)
            if [ln for ln in mine if not ln.startswith("note: ")]:
                problems.append(f"refused a readable article: {mine}")
            if not holds:
                problems.append(f"{name}: {n} claims, none holding {case.words!r}")
    if case.check is not None and (extra := case.check(out)):
        problems.append(extra)
    return Outcome(case, seconds, result.exit_code, trace, lines, problems)


def baseline_claims(root: Path) -> int:
    """The good article's claims in a run of its own."""
    from click.testing import CliRunner

    from factcheck.cli import main

    prepare(Case("baseline", {}, "read"), root)
    CliRunner().invoke(main, ["run", str(root / "sources"), "--no-progress", "--out", str(root / "out"),
                              "--db", f"sqlite:///{root / 'fc.db'}"])
    return good_claims(root / "out")
