"""Throughput of normalise + abuse assessment on one core: ``python -m tests.bench.bench_abuse``.

Also prints the CPU time of ``AbuseModel.assess`` alone on already normalised texts (as the pipeline calls it).

The corpus is deterministic (seeded) municipal-style comments of about 150 characters, about one in eight
abusive, with varying names and numbers so that the word caches also see new words.
"""

from __future__ import annotations

import random
import time

from moderation.abuse import AbuseModel
from moderation.normalise import normalise

_OPENERS = [
    "Wann wird die Baustelle in der {street} endlich fertig?",
    "Seit {n} Wochen wird der Müll in der {street} nicht abgeholt.",
    "Danke an das Team vom Bürgeramt für die schnelle Hilfe heute Vormittag!",
    "Warum ist das Freibad am Wochenende schon um {n} Uhr geschlossen?",
    "Die neuen Parkgebühren am {place} sind völlig überzogen.",
    "Gibt es schon einen Termin für die Sperrung der {street}?",
    "Die Stadtverwaltung hat hier komplett versagt, das ist eine Schande.",
    "Tolle Aktion beim Stadtfest am {place}, gerne wieder!",
]
_MIDDLES = [
    "Ich wohne seit {n} Jahren hier und so schlimm war es noch nie.",
    "Meine Nachbarin {name} hat schon zweimal beim Ordnungsamt angerufen.",
    "Die Kinder müssen jeden Morgen über die Kreuzung am {place} laufen.",
    "Wer ist dafür eigentlich zuständig und wann passiert endlich etwas?",
    "Bitte mehr Informationen auf der Webseite, das wäre hilfreich.",
]
_ABUSIVE = [
    "Der Bürgermeister ist ein Vollidiot, {name} hat recht.",
    "Halt die Fresse, du Penner, und mach endlich deinen Job.",
    "Diese Stadtratsidioten kriegen nichts auf die Reihe, Scheißverwaltung!",
    "Ich weiß wo du wohnst, pass bloß auf, {name}.",
    "Verdiene {n}000€ im Monat von zu Hause, klick hier www.example.com",
]
_STREETS = ["Hauptstraße", "Goethestraße", "Lindenweg", "Bahnhofstraße", "Am Markt", "Schillerplatz", "Mühlgasse"]
_PLACES = ["Rathausplatz", "Stadtpark", "Bahnhof", "Marktplatz", "Schulzentrum", "Sportpark"]
_NAMES = ["Frau Müller", "Herr Schmidt", "Anna", "Jürgen", "Frau Özdemir", "Kevin", "Herr Nowak"]


def corpus(size: int = 20_000, seed: int = 0) -> list[str]:
    """Deterministic comments of roughly 150 characters."""
    rng = random.Random(seed)
    out = []
    for _ in range(size):
        fill = {"street": rng.choice(_STREETS), "place": rng.choice(_PLACES), "name": rng.choice(_NAMES),
                "n": rng.randint(2, 99)}
        parts = [rng.choice(_OPENERS), rng.choice(_ABUSIVE if rng.random() < 0.125 else _MIDDLES)]
        text = " ".join(p.format(**fill) for p in parts)
        if rng.random() < 0.3:  # unseen words: names, codes
            text += f" Vorgang {rng.randint(1000, 99999)}-{rng.choice('ABCDEFG')}{rng.randint(1, 999)}"
        out.append(text)
    return out


def main(argv: list[str] | None = None) -> None:
    model = AbuseModel.load()
    texts = corpus()
    for text in texts[:2000]:  # warm-up
        model.assess(text, normalise(text))
    start, cpu_start = time.perf_counter(), time.process_time()
    flagged = 0
    for text in texts:
        flagged += model.assess(text, normalise(text)).abusive
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    normalised = [normalise(text) for text in texts]
    assess_start = time.process_time()
    for text, norm in zip(texts, normalised, strict=True):  # the pipeline passes the normalised text in
        model.assess(text, norm)
    assess_cpu = time.process_time() - assess_start
    mean_len = sum(map(len, texts)) / len(texts)
    # CPU time as well: on a shared machine the wall clock also counts time spent waiting for a core
    print(f"{len(texts)} Kommentare (Ø {mean_len:.0f} Zeichen), {flagged} markiert: "
          f"{len(texts) / elapsed:,.0f} Kommentare/s ({elapsed / len(texts) * 1e6:.1f} µs je Kommentar); "
          f"CPU-Zeit: {len(texts) / cpu:,.0f} Kommentare/s ({cpu / len(texts) * 1e6:.1f} µs); "
          f"davon assess allein (CPU): {assess_cpu / len(texts) * 1e6:.1f} µs je Kommentar")


if __name__ == "__main__":
    main()
