"""The fixed texts visitors see around the quotes, per language (English fallback)."""
from __future__ import annotations

EXAMPLES = {
    "en": [
        "When was AVSF founded?",
        "How many families are in the network?",
        "What is NAMAC?",
        "Where are the cooperatives located?",
        "Quand AVSF a-t-elle été fondée ?",
        "NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?",
    ],
    "fr": [
        "Quand AVSF a-t-elle été fondée ?",
        "Combien de familles compte le réseau ?",
        "Qu'est-ce que NAMAC ?",
    ],
    "mn": [
        "AVSF хэзээ байгуулагдсан бэ?",
        "Сүлжээнд хэдэн өрх байдаг вэ?",
        "NAMAC гэж юу вэ?",
    ],
    "de": [
        "Wann wurde AVSF gegründet?",
        "Wie viele Familien gehören zum Netzwerk?",
        "Was ist NAMAC?",
    ],
    "es": [
        "¿Cuándo se fundó AVSF?",
        "¿Cuántas familias forman la red?",
        "¿Qué es NAMAC?",
    ],
}

DECLINE = {
    "en": "I'm sorry, I don't know: the union's texts don't answer that. I can answer questions about the "
          "Sustainable Cashmere Union, its cooperatives and its partners (AVSF, NAMAC). For example:",
    "fr": "Désolé, je ne sais pas : les textes de l'union ne répondent pas à cette question. Je peux répondre "
          "aux questions sur la Sustainable Cashmere Union, ses coopératives et ses partenaires (AVSF, NAMAC). "
          "Par exemple :",
    "mn": "Уучлаарай, би мэдэхгүй байна: холбооны эх бичвэрт энэ асуултын хариулт алга. Би Тогтвортой "
          "Ноолуурын Холбоо, түүний хоршоод болон түншүүдийн (AVSF, NAMAC) талаар хариулж чадна. Жишээ нь:",
    "de": "Das weiß ich leider nicht: Die Texte der Union beantworten das nicht. Ich beantworte Fragen zur "
          "Sustainable Cashmere Union, ihren Genossenschaften und Partnern (AVSF, NAMAC). Zum Beispiel:",
    "es": "Lo siento, no lo sé: los textos de la unión no responden a eso. Puedo responder preguntas sobre la "
          "Sustainable Cashmere Union, sus cooperativas y sus socios (AVSF, NAMAC). Por ejemplo:",
}

# Replies to small talk (see `small_talk`): greetings, thanks and "who are you?" end with examples.
SMALL_TALK = {
    "greeting": {
        "en": "Hello! I answer questions about the Sustainable Cashmere Union, its cooperatives and its partners "
              "(AVSF, NAMAC), quoting the union's own texts. For example:",
        "fr": "Bonjour ! Je réponds aux questions sur la Sustainable Cashmere Union, ses coopératives et ses "
              "partenaires (AVSF, NAMAC), en citant les textes de l'union. Par exemple :",
        "mn": "Сайн байна уу! Би Тогтвортой Ноолуурын Холбоо, түүний хоршоод болон түншүүдийн (AVSF, NAMAC) "
              "талаарх асуултад холбооны эх бичвэрээс иш татан хариулна. Жишээ нь:",
        "de": "Hallo! Ich beantworte Fragen zur Sustainable Cashmere Union, ihren Genossenschaften und Partnern "
              "(AVSF, NAMAC) mit Zitaten aus den Texten der Union. Zum Beispiel:",
        "es": "¡Hola! Respondo preguntas sobre la Sustainable Cashmere Union, sus cooperativas y sus socios "
              "(AVSF, NAMAC), citando los textos de la unión. Por ejemplo:",
    },
    "thanks": {
        "en": "You're welcome! Ask me anything else about the union, its cooperatives or its partners, for example:",
        "fr": "Avec plaisir ! Posez-moi d'autres questions sur l'union, ses coopératives ou ses partenaires, "
              "par exemple :",
        "mn": "Зүгээр ээ! Холбоо, түүний хоршоод болон түншүүдийн талаар өөр асуулт байвал асуугаарай. Жишээ нь:",
        "de": "Gern geschehen! Fragen Sie mich gern mehr über die Union, ihre Genossenschaften oder Partner, "
              "zum Beispiel:",
        "es": "¡De nada! Pregúnteme lo que quiera sobre la unión, sus cooperativas o sus socios, por ejemplo:",
    },
    "goodbye": {
        "en": "Goodbye, and thank you for your interest in the Sustainable Cashmere Union!",
        "fr": "Au revoir, et merci de votre intérêt pour la Sustainable Cashmere Union !",
        "mn": "Баяртай! Тогтвортой Ноолуурын Холбоог сонирхсонд баярлалаа.",
        "de": "Auf Wiedersehen, und danke für Ihr Interesse an der Sustainable Cashmere Union!",
        "es": "¡Adiós, y gracias por su interés en la Sustainable Cashmere Union!",
    },
    "identity": {
        "en": "I am the Sustainable Cashmere Union's assistant. I answer questions about the union, its "
              "cooperatives and its partners (AVSF, NAMAC) by quoting the union's own texts, with their source; "
              "when they don't hold the answer, I say so. For example:",
        "fr": "Je suis l'assistant de la Sustainable Cashmere Union. Je réponds aux questions sur l'union, ses "
              "coopératives et ses partenaires (AVSF, NAMAC) en citant les textes de l'union, avec leur source ; "
              "quand ils ne contiennent pas la réponse, je le dis. Par exemple :",
        "mn": "Би Тогтвортой Ноолуурын Холбооны туслах. Холбоо, түүний хоршоод болон түншүүдийн (AVSF, NAMAC) "
              "талаарх асуултад холбооны эх бичвэрээс эх сурвалжтай нь иш татан хариулдаг; хариулт нь "
              "тэнд байхгүй бол тэгж хэлнэ. Жишээ нь:",
        "de": "Ich bin der Assistent der Sustainable Cashmere Union. Ich beantworte Fragen zur Union, ihren "
              "Genossenschaften und Partnern (AVSF, NAMAC) mit Zitaten aus ihren Texten und deren Quelle; "
              "steht die Antwort nicht darin, sage ich es. Zum Beispiel:",
        "es": "Soy el asistente de la Sustainable Cashmere Union. Respondo preguntas sobre la unión, sus "
              "cooperativas y sus socios (AVSF, NAMAC) citando los textos de la unión, con su fuente; cuando "
              "no contienen la respuesta, lo digo. Por ejemplo:",
    },
}

# "Tell me more" when the previous quote ends its section.
NOTHING_MORE = {
    "en": "That is all the union's texts say on this. You can ask about something else, for example:",
    "fr": "C'est tout ce que disent les textes de l'union à ce sujet. Vous pouvez poser une autre question, "
          "par exemple :",
    "mn": "Холбооны эх бичвэрт энэ талаар өөр мэдээлэл алга. Өөр зүйл асууж болно, жишээ нь:",
    "de": "Mehr sagen die Texte der Union dazu nicht. Sie können etwas anderes fragen, zum Beispiel:",
    "es": "Es todo lo que dicen los textos de la unión sobre esto. Puede preguntar otra cosa, por ejemplo:",
}
NAME_IT = ("Who or what do you mean? Please ask again with its name (the Sustainable Cashmere Union, AVSF or NAMAC, "
           "for example):")
EMPTY = "Please type a question about the Sustainable Cashmere Union, its cooperatives or its partners. For example:"
TOO_LONG = ("Your question is too long ({length:,} characters). Please ask it in at most {limit:,} characters, "
            "for example:")
NO_INDEX = "The assistant has no texts to answer from yet. Please try again later."


def in_language(texts: dict, language: str):
    """The visitor's language's version, or the English one."""
    return texts.get(language, texts["en"])


def examples_for(language: str, count: int = 3) -> list[str]:
    return in_language(EXAMPLES, language)[:count]


def with_examples(lead: str, examples: list[str]) -> str:
    return lead + "\n" + "\n".join(f"- {example}" for example in examples)


def decline_text(language: str, examples: list[str]) -> str:
    return with_examples(in_language(DECLINE, language), examples)


def nothing_more_text(language: str, examples: list[str]) -> str:
    return with_examples(in_language(NOTHING_MORE, language), examples)


def small_talk_text(kind: str, language: str, examples: list[str]) -> str:
    """The fixed reply to a greeting, thanks, goodbye or "who are you?" (see `small_talk`)."""
    text = in_language(SMALL_TALK[kind], language)
    return with_examples(text, examples) if examples else text
