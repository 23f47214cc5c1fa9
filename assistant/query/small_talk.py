"""Greetings, thanks, goodbyes and "who are you?": recognised, not searched.

Chat-widget visitors often open with "hello" and close with "thanks". Searched,
such a message only finds an "I don't know"; it deserves a friendly fixed reply
(the texts are in `messages`). Only a whole message of small talk counts:
"Hi, when was AVSF founded?" is a question and is searched as usual.
"""
from __future__ import annotations

import re

# Words that may lead or close small talk without changing it: "ok thanks", "hello there".
_LEAD = r"(?:(?:ok|okay|great|perfect|cool|nice|super|parfait|génial|d'accord|gut|prima|perfecto|vale|genial|за)\s+)?"
_TAIL = (r"(?:\s+(?:there|everyone|all|again|so much|a lot|very much|a million|for (?:the|your|that|this)"
         r"(?: (?:info|information|help|answers?|reply))?|beaucoup|bien|à tous|pour (?:l'|les |votre |ta )?"
         r"(?:info|information|informations|aide|réponse)|vielmals|sehr|schön|für die (?:info|hilfe|antwort)|"
         r"muchas|mucho|a todos|por (?:la|tu|su) (?:info|información|ayuda|respuesta)|assistant|bot|ээ|их|"
         r"that (?:was|is|'s) (?:very |really |so )?(?:helpful|useful|great|perfect|clear|interesting)|"
         r"c'(?:est|était) (?:très )?(?:utile|clair|parfait|intéressant)|das (?:war|ist) (?:sehr )?hilfreich|"
         r"(?:fue |es )?muy útil))*")
# kind -> language -> the whole message, lowercased, punctuation and emoji turned into spaces
PATTERNS: dict[str, dict[str, str]] = {
    "greeting": {
        "en": r"(?:(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day))"
              r"(?:\s+(?:there|everyone|all|assistant|bot))?)?(?:\s*how are you(?: doing)?)?",
        "fr": r"(?:bonjour|bonsoir|salut|coucou)(?:\s+(?:à tous|tout le monde))?(?:\s+(?:ça va|comment ça va|"
              r"comment allez vous))?",
        "de": r"(?:(?:hallo|guten (?:morgen|tag|abend)|servus|moin|grüß gott)\s*)?"
              r"(?:wie geht(?:'?s| es)(?: (?:dir|ihnen))?)?",
        "es": r"(?:hola|buen(?:os días|os dias|as tardes|as noches))"
              r"(?:\s+(?:qué tal|que tal|cómo estás|como estas))?",
        "mn": r"(?:сайн байна уу|сайн уу|сайн байцгаана уу|сайхан амарсан уу|мэнд)",
    },
    "thanks": {
        "en": rf"{_LEAD}(?:thanks|thank you|thx|ty|cheers|many thanks|thanks a lot){_TAIL}",
        "fr": rf"{_LEAD}(?:merci|je vous remercie|je te remercie){_TAIL}",
        "de": rf"{_LEAD}(?:danke|vielen dank|danke schön|dankeschön){_TAIL}",
        "es": rf"{_LEAD}(?:gracias|muchas gracias|mil gracias){_TAIL}",
        "mn": rf"{_LEAD}(?:баярлалаа|маш их баярлалаа|гайхалтай баярлалаа){_TAIL}",
    },
    "goodbye": {
        "en": rf"{_LEAD}(?:thanks\s+)?(?:bye|goodbye|bye bye|see you|see you later|have a nice day){_TAIL}",
        "fr": rf"{_LEAD}(?:merci\s+)?(?:au revoir|à bientôt|a bientot|bonne journée|bonne soirée){_TAIL}",
        "de": rf"{_LEAD}(?:danke\s+)?(?:tschüss|tschüs|auf wiedersehen|bis bald|schönen tag){_TAIL}",
        "es": rf"{_LEAD}(?:gracias\s+)?(?:adiós|adios|hasta luego|hasta pronto|chao){_TAIL}",
        "mn": rf"{_LEAD}(?:баярлалаа\s+)?(?:баяртай|дараа уулзъя|сайхан өдрийг өнгөрүүлээрэй){_TAIL}",
    },
    "identity": {
        "en": r"(?:who are you|what are you|what can you do|what can i ask(?: you)?|how can you help(?: me)?|help|"
              r"are you (?:a |an )?(?:bot|robot|human|person|ai|chatbot|real person))",
        "fr": r"(?:qui es tu|qui êtes vous|tu es qui|vous êtes qui|que peux tu faire|que pouvez vous faire|aide|"
              r"es tu un robot|êtes vous un robot)",
        "de": r"(?:wer bist du|wer sind sie|was kannst du|was können sie|hilfe|bist du ein (?:bot|roboter|mensch))",
        "es": r"(?:quién eres|quien eres|quién es usted|qué puedes hacer|que puedes hacer|ayuda|"
              r"eres un (?:bot|robot))",
        "mn": r"(?:чи хэн бэ|та хэн бэ|чи юу хийж чадах вэ|та юу хийж чадах вэ|тусламж|чи робот уу)",
    },
}
_COMPILED = {kind: {language: re.compile(pattern) for language, pattern in by_language.items()}
             for kind, by_language in PATTERNS.items()}
# "thanks, bye" is a goodbye, not thanks followed by a question.
_ORDER = ("thanks", "goodbye", "identity", "greeting")


# A greeting or thanks before a question ("Thanks! And NAMAC?"): left out of the search, so that
# follow-up rules see the question itself; before small talk ("Hello, who are you?"), the small talk counts.
_PLEASANTRY = (r"(?:hi|hello|hey|good (?:morning|afternoon|evening)|ok|okay|great|thanks|thank you|many thanks|"
               r"bonjour|bonsoir|salut|merci|d'accord|hallo|guten tag|danke|hola|gracias|сайн байна уу|сайн уу|"
               r"баярлалаа)(?: (?:so much|a lot|very much|beaucoup|vielmals|muchas))?(?: there| everyone)?")
_LEADING_PLEASANTRY = re.compile(rf"^\W*(?:{_PLEASANTRY}(?:\s+{_PLEASANTRY})*\s*[,!.:;—–-]+\s*)+", re.IGNORECASE)
_LEADING_PLEASANTRY_WORDS = re.compile(rf"^{_PLEASANTRY}\s+")  # in a normalized message: no punctuation left


def without_pleasantries(message: str) -> str:
    """The question after a leading "Hi," or "Thanks!"; the message itself when nothing else is left."""
    rest = _LEADING_PLEASANTRY.sub("", message)
    return rest if rest.strip() else message


def normalized(message: str) -> str:
    """Lowercase words, apostrophes kept ("ça va", "wie geht's"); punctuation and emoji are spaces."""
    return " ".join(re.sub(r"[^\w']+", " ", message.lower().replace("’", "'")).split())


def small_talk(message: str) -> tuple[str, str] | None:
    """(kind, language) when the whole message is small talk, e.g. ("greeting", "fr") for "Bonjour !"."""
    text = normalized(message)
    if not text or len(text) > 80:
        return None
    return _whole_match(text) or _whole_match(_LEADING_PLEASANTRY_WORDS.sub("", text))


def _whole_match(text: str) -> tuple[str, str] | None:
    for kind in _ORDER:
        for language, pattern in _COMPILED[kind].items():
            if pattern.fullmatch(text):
                return kind, language
    return None
