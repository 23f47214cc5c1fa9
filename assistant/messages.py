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
          "aux questions sur la Sustainable Cashmere Union, ses coopératives et ses partenaires (AVSF, NAMAC). Par exemple :",
    "mn": "Уучлаарай, би мэдэхгүй байна: холбооны эх бичвэрт энэ асуултын хариулт алга. Би Тогтвортой "
          "Ноолуурын Холбоо, түүний хоршоод болон түншүүдийн (AVSF, NAMAC) талаар хариулж чадна. Жишээ нь:",
    "de": "Das weiß ich leider nicht: Die Texte der Union beantworten das nicht. Ich beantworte Fragen zur "
          "Sustainable Cashmere Union, ihren Genossenschaften und Partnern (AVSF, NAMAC). Zum Beispiel:",
    "es": "Lo siento, no lo sé: los textos de la unión no responden a eso. Puedo responder preguntas sobre la "
          "Sustainable Cashmere Union, sus cooperativas y sus socios (AVSF, NAMAC). Por ejemplo:",
}

EMPTY = "Please type a question about the Sustainable Cashmere Union, its cooperatives or its partners. For example:"
TOO_LONG = ("Your question is too long ({length:,} characters). Please ask it in at most {limit:,} characters, "
            "for example:")
NO_INDEX = "The assistant has no texts to answer from yet. Please try again later."


def examples_for(language: str, count: int = 3) -> list[str]:
    return EXAMPLES.get(language, EXAMPLES["en"])[:count]


def with_examples(lead: str, examples: list[str]) -> str:
    return lead + "\n" + "\n".join(f"- {example}" for example in examples)


def decline_text(language: str, examples: list[str]) -> str:
    return with_examples(DECLINE.get(language, DECLINE["en"]), examples)
