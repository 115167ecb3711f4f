"""Does the citizen expect an answer? German question detection for the moderation queue.

A sentence is a sincere question when it carries *structure*: an interrogative (wann, wo, wie …) or a
finite verb at its start ("Hat das Bürgerbüro morgen offen"), or a request formula ("Bitte um Info, …",
"Weiß jemand …", "Ich hätte gern gewusst …"). A question mark alone is weak evidence: on real comment
sections most "?" sentences are rhetorical, so it counts only together with structure or a practical
topic ("Und der Termin?"). Rhetorical, sarcastic or accusing questions ("Wie dumm kann man sein?",
"Geht's noch?") are vetoed sentence by sentence; they are reported as ``rhetorical`` because such a comment
is often a complaint.

Works on the normalised text (case-folded, ß as "ss", stretched letters collapsed, punctuation kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from moderation.matching import matched_text, word_start_regex


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """``is_question``: a sincere question or request; ``rhetorical``: a question-like sentence was not."""

    is_question: bool
    reasons: list[str] = field(default_factory=list)
    rhetorical: bool = False


_URL = re.compile(r"https?://\S+|www\.\S+")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_CLAUSE = re.compile(r"[,;:\-–]\s")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

INTERROGATIVES = frozenset(
    "wie wo wann warum weshalb wer was welche welcher welches welchen welchem wieso woher wohin wozu wieviel "
    "wieviele womit wofür worauf wovon wodurch weswegen wem wen inwiefern".split()
)
_VERBS = frozenset(
    "hat haben habt hast ist sind seid bist kann können könnt kannst könnte könnten darf dürfen dürfte muss "
    "müssen müsste soll sollen sollte sollten will wollen wird werden wurde wurden war waren gibt gab gilt geht "
    "gehen kommt kommen fährt fahren fällt findet finden bekommt bekomme bekommen braucht brauche brauchen "
    "weiss wisst wissen stimmt läuft öffnet schliesst bleibt reicht lohnt klappt funktioniert zählt kostet "
    "kosten dauert hätte hätten wäre wären würde würden macht machen darf muss tut".split()
)
# After a sentence-initial verb, a subject makes a yes/no question even without "?".
_SUBJECTS = frozenset(
    "das der die den dem des es man sie ihr du ich wir jemand einer eine ein mein meine unser unsere euer "
    "eure hier heute morgen eigentlich auch schon noch dieses diese dieser".split()
)
# Words that may stand between an interrogative and its verb: "wie lange dauert", "welche linie fährt".
_QUALIFIERS = frozenset("lange viel viele oft genau denn eigentlich spät früh weit teuer hoch gross alt".split())
_PRONOUNS = frozenset("ich du er sie es man wir ihr das der die den dem so".split())

_GREETING_WORDS = frozenset(
    "hallo hi hey moin servus guten liebe lieber liebes sehr kurze eine frage ähm also ok okay entschuldigung "
    "sorry danke".split()
)
_GREETING = re.compile(
    r"^\s*(?:hallo|hi|hey|moin|servus|guten (?:tag|morgen|abend)|liebe[rs]?\b.*|sehr geehrte.*|@.*|kurze frage"
    r"|eine frage|frage|ähm|also|ok|okay|entschuldigung|sorry|danke.*)\s*[,:!]?\s*$"
)
# Each fragment starts at a word start with a literal letter (see moderation.matching).
_REQUEST = word_start_regex([
    r"bitten? um (?:eine |kurze |schnelle )?(?:info|auskunft|rückmeldung|antwort|hilfe|klärung|rückruf|erklärung"
    r"|stellungnahme|mitteilung|information|nachricht)",
    r"bitte (?:teilen|sagen|schreiben|informieren|erklären) sie (?:mir|uns)",
    r"bitte (?:kurze )?infos?\b", r"bitte rufen sie (?:mich|uns)",
    r"rufen sie (?:mich|uns) (?:bitte )?(?:\w+ ){0,4}zurück",
    r"ich suche (?:infos|informationen|auskunft)",
    r"hätte gerne? (?:gewusst|gewußt|eine (?:info|auskunft|antwort))",
    r"hätte (?:da |noch )?(?:mal |nur )?eine frage",
    r"habe (?:da |noch )?(?:mal |nur )?eine frage",
    r"würde gerne? wissen", r"wüsste gerne?", r"würde mich interessieren", r"mich würde interessieren",
    r"weiss (?:jemand|einer|wer|irgendwer|jmd)", r"kann mir (?:jemand|einer|wer|irgendwer|jmd)",
    r"könnt(?:e|en)? (?:sie|ihr) (?:mir|uns)", r"kurze frage", r"frage an die stadt",
    r"an wen (?:kann|muss|soll) (?:ich|man) mich wenden", r"wo finde ich", r"wo bekomme ich",
    r"wie komme ich an", r"info wäre (?:nett|super|toll|gut)",
    r"wäre (?:nett|schön|super|toll),? wenn (?:sie|ihr|mir|jemand)",
    r"gibt es (?:dazu |hierzu )?(?:schon )?(?:infos|informationen|neuigkeiten|neues)",
])
_RHETORICAL = word_start_regex([
    r"wie (?:dumm|blöd|doof|bescheuert|dämlich|naiv|inkompetent|unfähig|dreist|frech|peinlich|lächerlich)\b",
    r"wer glaubt (?:denn |eigentlich |noch |ernsthaft |wirklich |bitte )*(?:so ?was|so etwas|das|daran|den|euch"
    r"|ihnen|dem|der|die)",
    r"wer(?:['’]s| es) glaubt", r"geht(?:['’]?s| es) noch", r"hackt(?:['’]?s| es)",
    r"seid (?:ihr|sie) (?:eigentlich |denn |jetzt |echt )*(?:noch )?(?:ganz )?(?:dicht|bei trost|sauber|normal"
    r"|irre|wahnsinnig|bescheuert|verrückt|blöd|dumm|bekloppt|blind)",
    r"sind sie (?:eigentlich |denn |jetzt |echt )*(?:noch )?(?:ganz )?(?:dicht|bei trost|sauber|normal|irre"
    r"|wahnsinnig|bescheuert|verrückt|blöd|dumm|bekloppt|blind)",
    r"bist du (?:eigentlich |denn |jetzt |echt )*(?:noch )?(?:ganz )?(?:dicht|bei trost|sauber|normal|irre"
    r"|wahnsinnig|bescheuert|verrückt|blöd|dumm|bekloppt|blind)",
    r"ha(?:bt|ben|st) (?:ihr|sie|du) (?:sie |se |['’]s )?(?:eigentlich |denn |jetzt )*(?:noch )?(?:alle|nicht alle)",
    r"ist (?:das|dies) (?:jetzt |wirklich |echt )?(?:(?:euer|ihr|dein) )?(?:allen )?ernst",  # not "ist das ihr problem"
    r"w(?:ollt|ollen|illst) (?:ihr|sie|du) (?:uns|mich) (?:eigentlich |jetzt |hier )*(?:verarsch|veräppel"
    r"|für dumm|veralber|verscheisser)",
    r"schämt (?:ihr|sie) (?:euch|sich)", r"wo (?:leben|sind) wir (?:denn|hier)", r"sind wir hier (?:in|im|bei)",
    r"wofür (?:be)?zahlen wir", r"merkt (?:ihr|man) (?:eigentlich|denn|noch|überhaupt)",
    r"was (?:habt|haben) (?:ihr|sie) (?:euch|sich) (?:dabei|da) (?:eigentlich |nur |bloss )?gedacht",
    r"wie kann man (?:nur|so|bloss|denn so)", r"wer (?:denkt|hat) sich (?:so ?was|so etwas|das|den mist|diesen)",
    r"wie lange (?:denn )?noch\W*$", r"warum (?:eigentlich |denn )?immer (?:wir|ich|nur)",
    r"wer soll das (?:glauben|bezahlen)", r"wer (?:wird|muss|soll) (?:dafür |hier )?(?:zur verantwortung|gerade)",
    r"w(?:arum|ieso|eshalb) [^?]{0,40}eigentlich (?:nie|niemand|keiner|nicht)",
    r"wen wundert", r"wer hätte das gedacht", r"was kommt als nächstes",
])
# Idioms that start with a verb but ask nothing: "Kann man so machen."
_STATEMENT = word_start_regex([
    r"kann (?:man so machen|man machen|sein|passieren)", r"muss man (?:wissen|mögen|erst mal)", r"ist (?:halt|eben) so",
    r"hat sich erledigt", r"ist mir (?:egal|wurscht|wumpe)", r"gibt(?:['’]s| es) (?:halt|eben|doch)",
])
# Whole-sentence retorts: "Echt jetzt?", "Was soll das!" -- only as a question (``_RETORT``; "Echt." and
# "Wirklich!" retort nothing), "hallo" only exasperated ("Hallo?!", "Hallo???": "Hallo!" is a greeting).
_INDIGNANT = re.compile(r"(?:und )?was soll (?:das|der (?:mist|quatsch|scheiss|schwachsinn|blödsinn))\W*")
_RETORT = re.compile(
    r"(?:und )?(?:echt|ernsthaft|im ernst|wirklich|echt jetzt|wie bitte|bitte was|hä|häh|warum nicht|wieso nicht)\W*"
)
_HALLO = re.compile(r"hallo\W*")
_SCORN = word_start_regex([
    "dumm", "blöd", "doof", "bescheuert", "idiot", "vollidiot", "depp", "trottel", "inkompetent", "unfähig",
    "lächerlich", "peinlich", "schwachsinn", "bullshit", "verarsch", "scheiss", "kotz", "armselig",
    "frechheit", "unverschämt", "sauerei", "schande", r"korrupt(?!ion)", "verlogen", "dreist", "dämlich",
    "hirnlos", "hirnrissig", "bekloppt", "spinnt", r"spinnen (?:die|sie|jetzt|alle|total|komplett)\b", r"witz\b",
    "witzfigur", "clown", "affentheater",
])
_PRACTICAL = word_start_regex([
    "offen", "geöffnet", "geschlossen", "öffnungszeit", "termin", "uhrzeit", "ab wann", "bis wann", "anmeld",
    "formular", "antrag", "kosten", "gebühr", "preis", "eintritt", "park", "abholung", "abfuhr", "müll",
    "tonne", "bus", "bahn", "fahrplan", "link", "adresse", "zuständig", "ansprechpartner", "frist",
    "unterlagen", "ausweis", "pass", "kita", "schule", "sperrung", "gesperrt", "umleitung",
])
# Any word at the start of a clause of ", " + sentence ("Hallo, wo kann ich …").
_CLAUSE_START = re.compile(r"[,;:\-–] +([^\W\d_])")
_EXASPERATED = re.compile(r"\?!|!\?|\?\?")
_PARTICLES = re.compile(r"\b(?:endlich|eigentlich|überhaupt|schon wieder|immer noch|denn schon|bitte schön)\b")
_EXCLAMATION = re.compile(r"(?:was für (?:ein|eine|einen)|was (?:ein|eine|einen) |wie \w+(?:,| ?!|$| dass))")
_FREE_RELATIVE = re.compile(
    r"^(?:wer|was|wo|wie)\b[^,]*, (?:kann|muss|soll|darf|sollte|wird|ist|hat|den|dem|der|die|das|bekommt|sollte"
    r"|findet|braucht)\b"
)
_CONDITIONAL = re.compile(
    r", (?:dann |so )?(?:wäre|wären|hätte|hätten|würde|würden|ist|sind|hat|haben|wird|werden|kann|können|muss"
    r"|müssen|sollte|gäbe|gibt|bräuchte|bräuchten)\b"
)


def _quote(words: list[str], n: int = 3) -> str:
    return "„" + " ".join(words[:n]) + " …“"


def _interrogative_with_verb(words: list[str]) -> bool:
    """``wo kann``, ``wie lange dauert``, ``welche linie fährt``, not ``wie man sieht``, ``wer zu spät kommt``."""
    rest = words[1:4]
    if words[0].startswith("welch") and len(rest) > 1:
        rest = rest[1:]  # skip the noun: "welche linie fährt"
    while rest and rest[0] in _QUALIFIERS:
        rest = rest[1:]
    if not rest or rest[0] in _PRONOUNS:
        return False
    verb = rest[0]
    return verb in _VERBS or (len(verb) > 3 and verb.endswith(("t", "en", "e")))


def _lead_words(body: str) -> list[str]:
    """The first words of the sentence after a greeting ("Hallo, …", "Liebe Stadt, …")."""
    words = _WORD.findall(body, 0, 60)[:4]
    if words and (words[0] in _GREETING_WORDS or body.startswith("@")):
        for clause in _CLAUSE.split(body, maxsplit=3):
            if not _GREETING.match(clause):
                return _WORD.findall(clause, 0, 60)[:4]
        return []
    return words


def _structure(body: str, has_q: bool, exclaims: bool) -> str | None:
    """Reason if the sentence is built like a question: interrogative or verb first, or a request formula.

    Without "?" only the sentence's lead counts ("Man sieht, wie …" is a statement); with "?" every
    clause start does ("Waldbrand am Hang, ist die Feuerwehr informiert?").
    """
    request = _REQUEST.search(" " + body)
    if request:
        return f"Bitte um Auskunft („{matched_text(request)}“)"
    if exclaims:
        return None
    lead = _lead_words(body)
    if not has_q:
        if not lead or _STATEMENT.match(" " + body) or _FREE_RELATIVE.match(body):
            return None
        if lead[0] in INTERROGATIVES and not _EXCLAMATION.match(body) and _interrogative_with_verb(lead):
            return f"Fragewort am Satzanfang {_quote(lead)} (ohne Fragezeichen)"
        if len(lead) > 1 and lead[0] in _VERBS and lead[1] in _SUBJECTS:
            if not _CONDITIONAL.search(body, max(0, body.find(lead[1]))):
                return f"Verb am Satzanfang {_quote(lead)} (Frage ohne Fragezeichen)"
        return None
    marked = ", " + body
    for m in _CLAUSE_START.finditer(marked):
        words = _WORD.findall(marked, m.start(1), m.start(1) + 60)
        if words[0] in INTERROGATIVES and not _EXCLAMATION.match(marked, m.start(1)):
            return f"Fragewort am Satzanfang {_quote(words)}"
        if len(words) > 1 and words[0] in _VERBS:
            return f"Verb am Satzanfang {_quote(words)} mit Fragezeichen"
    if len(lead) > 1 and lead[0] in _VERBS:
        return f"Verb am Satzanfang {_quote(lead)} mit Fragezeichen"
    return None


def _weak(body: str) -> str | None:
    """Reason for a "?" sentence without structure: an interrogative inside it, or a practical topic."""
    hit = next((w for w in _WORD.findall(body) if w in INTERROGATIVES), None)
    if hit:
        return f"Fragezeichen mit Fragewort „{hit}“"
    topic = _PRACTICAL.search(" " + body)
    if topic:
        return f"Fragezeichen zu einem praktischen Anliegen („{matched_text(topic)}“)"
    return None


def _veto(sentence: str, body: str, has_q: bool) -> str | None:
    """Reason if the sentence is rhetorical, sarcastic or accusing rather than asking."""
    padded = " " + body
    if (
        _RHETORICAL.search(padded)
        or _INDIGNANT.fullmatch(body)
        or (has_q and (_SCORN.search(padded) or _RETORT.fullmatch(body)))
        or (_HALLO.fullmatch(body) and _EXASPERATED.search(sentence))
    ):
        return f"Rhetorische oder vorwurfsvolle Frage („{body[:40]}“) – keine Frage für die Warteschlange"
    if has_q and _EXASPERATED.search(sentence) and _PARTICLES.search(body):
        return f"Empörte Frage mit „?!“ („{body[:40]}“) – eher Beschwerde als Frage"
    return None


def detect_question(text: str, normalised: str) -> QuestionResult:
    """Whether the comment asks something the municipality should answer, with German reasons.

    Args:
        text: the comment as written (part of the stage interface; the analysis reads ``normalised``).
        normalised: ``moderation.normalise.normalise(text)``.
    """
    folded = _URL.sub(" ", normalised) if ("http" in normalised or "www." in normalised) else normalised
    sincere: list[str] = []
    rhetorical: list[str] = []
    after_veto = False
    for sentence in _SENTENCE.findall(folded):
        has_q = "?" in sentence
        body = sentence.strip(" .!?")
        if not body:
            continue
        veto = _veto(sentence, body, has_q)
        reason = None
        if not veto:
            reason = _structure(body, has_q, exclaims=not has_q and sentence.rstrip().endswith("!"))
            if reason is None and has_q:
                reason = _weak(body)
                if reason and after_veto:  # "Ist das euer Ernst? 20 Euro fürs Parken?"
                    veto, reason = f"Nachsatz zu einer rhetorischen Frage („{body[:40]}“)", None
        if veto:
            rhetorical.append(veto)
        elif reason:
            sincere.append(reason)
        after_veto = veto is not None
    if sincere:
        return QuestionResult(True, sincere[:3], bool(rhetorical))
    if rhetorical:
        return QuestionResult(False, rhetorical[:2], True)
    if "?" in folded:
        return QuestionResult(False, ["Nur ein Fragezeichen ohne Fragewort oder Anliegen – keine Frage"])
    return QuestionResult(False)
