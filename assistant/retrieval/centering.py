"""Language centering: moving a question's multilingual vector away from its language.

A question in Chinese or Russian sits, in the multilingual model's space, near other
questions in the same language whatever they ask; that shared part says nothing about
which English passage answers. Taking away half the mean vector of ordinary questions in
the question's language removes much of it (`bench/xquad.py`, questions in de/es/ru/zh on the
English paragraphs: passage R@1 mean 0.840 -> 0.862, Chinese 0.732 -> 0.782). The means come from
the general-knowledge questions below, written for this purpose on no topic of the union's
texts or of the XQuAD articles, the same questions in every language. Their means are computed
when the index is built and kept in it (`reference_means`): encoding them took the first visitors in
each language 5 to 7 s after a start under load (bench/load.py). Without them, a language's
questions are encoded on its first question (once per process), or all at once by `prepare`.
English questions are not centered: they share the passages' language.
"""
from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import numpy as np

from assistant import settings
from assistant.models.embedding import Encoder

CENTERED_MODELS = {"e5"}  # the multilingual model; MiniLM only ever sees English

REFERENCE_QUESTIONS = {
    "fr": [
        "Quelle est la plus haute montagne d'Afrique ?",
        "Combien de joueurs compte une équipe de volley-ball ?",
        "Quand la première ligne de chemin de fer pour voyageurs a-t-elle ouvert ?",
        "Qui a peint le plafond de la chapelle Sixtine ?",
        "Quel fleuve traverse Le Caire ?",
        "Combien de temps met la lumière du Soleil pour atteindre la Terre ?",
        "Quelle langue parle-t-on au Brésil ?",
        "Où se trouve le plus grand récif de corail du monde ?",
        "Pourquoi les feuilles changent-elles de couleur en automne ?",
        "Combien d'eau un adulte doit-il boire chaque jour ?",
        "À quelle température l'eau bout-elle au niveau de la mer ?",
        "Qui a écrit le roman Guerre et Paix ?",
        "Quand le téléphone a-t-il été inventé ?",
        "Quel pays produit le plus de café ?",
        "Combien d'os compte le corps humain ?",
        "Quel est l'ingrédient principal du guacamole ?",
        "Où sont nés les Jeux olympiques ?",
        "Pourquoi le ciel est-il bleu ?",
        "À quelle vitesse un guépard peut-il courir ?",
        "Quelle monnaie utilise-t-on au Japon ?",
        "Qui a été la première femme à recevoir un prix Nobel ?",
        "Quelle planète a le plus de lunes ?",
        "Quel âge a le plus vieil arbre du monde ?",
        "Que fabriquent les abeilles avec le nectar ?",
        "Quand l'imprimerie a-t-elle été inventée ?",
        "Comment fabrique-t-on le papier à partir du bois ?",
        "Combien d'habitants compte le Canada ?",
        "Dans quelle ville se trouve le siège des Nations unies ?",
        "Qui a composé Les Quatre Saisons ?",
        "Combien de cordes a un violon ?",
        "Quelle est la capitale du Pérou ?",
        "Pourquoi les chats ronronnent-ils ?",
    ],
    "de": [
        "Was ist der höchste Berg Afrikas?",
        "Wie viele Spieler hat eine Volleyballmannschaft?",
        "Wann wurde die erste Eisenbahn für Fahrgäste eröffnet?",
        "Wer hat die Decke der Sixtinischen Kapelle gemalt?",
        "Welcher Fluss fließt durch Kairo?",
        "Wie lange braucht das Licht von der Sonne zur Erde?",
        "Welche Sprache spricht man in Brasilien?",
        "Wo liegt das größte Korallenriff der Welt?",
        "Warum verfärben sich die Blätter im Herbst?",
        "Wie viel Wasser sollte ein Erwachsener am Tag trinken?",
        "Bei welcher Temperatur kocht Wasser auf Meereshöhe?",
        "Wer hat den Roman Krieg und Frieden geschrieben?",
        "Wann wurde das Telefon erfunden?",
        "Welches Land produziert den meisten Kaffee?",
        "Wie viele Knochen hat der menschliche Körper?",
        "Was ist die Hauptzutat von Guacamole?",
        "Wo haben die Olympischen Spiele begonnen?",
        "Warum ist der Himmel blau?",
        "Wie schnell kann ein Gepard laufen?",
        "Welche Währung benutzt man in Japan?",
        "Wer war die erste Frau, die einen Nobelpreis erhielt?",
        "Welcher Planet hat die meisten Monde?",
        "Wie alt ist der älteste Baum der Erde?",
        "Was machen Bienen aus Nektar?",
        "Wann wurde der Buchdruck erfunden?",
        "Wie wird Papier aus Holz hergestellt?",
        "Wie viele Einwohner hat Kanada?",
        "In welcher Stadt ist der Hauptsitz der Vereinten Nationen?",
        "Wer hat Die vier Jahreszeiten komponiert?",
        "Wie viele Saiten hat eine Geige?",
        "Was ist die Hauptstadt von Peru?",
        "Warum schnurren Katzen?",
    ],
    "es": [
        "¿Cuál es la montaña más alta de África?",
        "¿Cuántos jugadores tiene un equipo de voleibol?",
        "¿Cuándo se inauguró el primer ferrocarril de pasajeros?",
        "¿Quién pintó el techo de la Capilla Sixtina?",
        "¿Qué río pasa por El Cairo?",
        "¿Cuánto tarda la luz del Sol en llegar a la Tierra?",
        "¿Qué idioma se habla en Brasil?",
        "¿Dónde está el arrecife de coral más grande del mundo?",
        "¿Por qué cambian de color las hojas en otoño?",
        "¿Cuánta agua debe beber un adulto cada día?",
        "¿A qué temperatura hierve el agua al nivel del mar?",
        "¿Quién escribió la novela Guerra y paz?",
        "¿Cuándo se inventó el teléfono?",
        "¿Qué país produce más café?",
        "¿Cuántos huesos tiene el cuerpo humano?",
        "¿Cuál es el ingrediente principal del guacamole?",
        "¿Dónde comenzaron los Juegos Olímpicos?",
        "¿Por qué el cielo es azul?",
        "¿A qué velocidad puede correr un guepardo?",
        "¿Qué moneda se usa en Japón?",
        "¿Quién fue la primera mujer en ganar un Premio Nobel?",
        "¿Qué planeta tiene más lunas?",
        "¿Cuántos años tiene el árbol más viejo de la Tierra?",
        "¿Qué hacen las abejas con el néctar?",
        "¿Cuándo se inventó la imprenta?",
        "¿Cómo se fabrica el papel a partir de la madera?",
        "¿Cuántos habitantes tiene Canadá?",
        "¿En qué ciudad está la sede de las Naciones Unidas?",
        "¿Quién compuso Las cuatro estaciones?",
        "¿Cuántas cuerdas tiene un violín?",
        "¿Cuál es la capital de Perú?",
        "¿Por qué ronronean los gatos?",
    ],
    "ru": [
        "Какая самая высокая гора в Африке?",
        "Сколько игроков в волейбольной команде?",
        "Когда открылась первая пассажирская железная дорога?",
        "Кто расписал потолок Сикстинской капеллы?",
        "Какая река протекает через Каир?",
        "Сколько времени свет идёт от Солнца до Земли?",
        "На каком языке говорят в Бразилии?",
        "Где находится самый большой коралловый риф в мире?",
        "Почему осенью листья меняют цвет?",
        "Сколько воды взрослый человек должен пить в день?",
        "При какой температуре кипит вода на уровне моря?",
        "Кто написал роман «Война и мир»?",
        "Когда был изобретён телефон?",
        "Какая страна производит больше всего кофе?",
        "Сколько костей в теле человека?",
        "Какой главный ингредиент гуакамоле?",
        "Где зародились Олимпийские игры?",
        "Почему небо голубое?",
        "С какой скоростью может бегать гепард?",
        "Какая валюта используется в Японии?",
        "Кто была первой женщиной, получившей Нобелевскую премию?",
        "У какой планеты больше всего спутников?",
        "Сколько лет самому старому дереву на Земле?",
        "Что пчёлы делают из нектара?",
        "Когда было изобретено книгопечатание?",
        "Как делают бумагу из древесины?",
        "Сколько людей живёт в Канаде?",
        "В каком городе находится штаб-квартира ООН?",
        "Кто написал «Времена года» для скрипки с оркестром?",
        "Сколько струн у скрипки?",
        "Какая столица Перу?",
        "Почему кошки мурлычут?",
    ],
    "mn": [
        "Африкийн хамгийн өндөр уул аль вэ?",
        "Волейболын багт хэдэн тоглогч байдаг вэ?",
        "Анхны зорчигч тээврийн төмөр зам хэзээ нээгдсэн бэ?",
        "Сикстийн сүмийн таазыг хэн зурсан бэ?",
        "Каир хотоор ямар гол урсдаг вэ?",
        "Нарны гэрэл Дэлхийд хүрэхэд хэр удаан хугацаа шаардагдах вэ?",
        "Бразилд ямар хэлээр ярьдаг вэ?",
        "Дэлхийн хамгийн том шүрэн хад хаана байдаг вэ?",
        "Намар навч яагаад өнгөө өөрчилдөг вэ?",
        "Насанд хүрсэн хүн өдөрт хэр их ус уух ёстой вэ?",
        "Далайн түвшинд ус хэдэн хэмд буцалдаг вэ?",
        "«Дайн ба энх» романыг хэн бичсэн бэ?",
        "Утсыг хэзээ зохион бүтээсэн бэ?",
        "Аль улс хамгийн их кофе үйлдвэрлэдэг вэ?",
        "Хүний биед хэдэн яс байдаг вэ?",
        "Гуакамолегийн гол орц юу вэ?",
        "Олимпийн наадам хаана эхэлсэн бэ?",
        "Тэнгэр яагаад цэнхэр байдаг вэ?",
        "Гепард хэр хурдан гүйж чаддаг вэ?",
        "Японд ямар мөнгөн тэмдэгт хэрэглэдэг вэ?",
        "Нобелийн шагнал хүртсэн анхны эмэгтэй хэн бэ?",
        "Аль гариг хамгийн олон дагуултай вэ?",
        "Дэлхийн хамгийн хөгшин мод хэдэн настай вэ?",
        "Зөгий цэцгийн шүүсээр юу хийдэг вэ?",
        "Хэвлэх машиныг хэзээ зохион бүтээсэн бэ?",
        "Модноос цаас яаж хийдэг вэ?",
        "Канадад хэдэн хүн амьдардаг вэ?",
        "Нэгдсэн Үндэстний Байгууллагын төв байр аль хотод байдаг вэ?",
        "«Дөрвөн улирал» хөгжмийг хэн зохиосон бэ?",
        "Хийл хэдэн утастай вэ?",
        "Перугийн нийслэл хот аль вэ?",
        "Муур яагаад шөнө сайн хардаг вэ?",
    ],
    "zh": [
        "非洲最高的山是哪座？",
        "一支排球队有多少名球员？",
        "第一条客运铁路是什么时候开通的？",
        "西斯廷教堂的天顶画是谁画的？",
        "哪条河流经开罗？",
        "太阳光到达地球需要多长时间？",
        "巴西人说什么语言？",
        "世界上最大的珊瑚礁在哪里？",
        "秋天树叶为什么会变色？",
        "成年人每天应该喝多少水？",
        "在海平面上水的沸点是多少度？",
        "小说《战争与和平》是谁写的？",
        "电话是什么时候发明的？",
        "哪个国家生产的咖啡最多？",
        "人体有多少块骨头？",
        "鳄梨酱的主要原料是什么？",
        "奥运会起源于哪里？",
        "天空为什么是蓝色的？",
        "猎豹能跑多快？",
        "日本使用什么货币？",
        "第一位获得诺贝尔奖的女性是谁？",
        "哪颗行星的卫星最多？",
        "地球上最古老的树有多少岁？",
        "蜜蜂用花蜜做什么？",
        "印刷术是什么时候发明的？",
        "纸是怎样用木材制成的？",
        "加拿大有多少人口？",
        "联合国总部设在哪个城市？",
        "《四季》是谁创作的？",
        "小提琴有几根弦？",
        "秘鲁的首都是哪里？",
        "猫为什么会发出呼噜声？",
    ],
}


Means = dict[str, Any]  # {"references": fingerprint, "means": {model id: {language: vector}}}, as in the index


def _references_fingerprint() -> str:
    """Changes when the reference questions do: means kept from before are then computed anew."""
    return hashlib.sha256(json.dumps(REFERENCE_QUESTIONS, sort_keys=True).encode()).hexdigest()[:16]


def _mean_vector(encoder: Encoder, language: str) -> np.ndarray:
    mean: np.ndarray = np.mean([encoder.encode_query(q) for q in REFERENCE_QUESTIONS[language]], axis=0)
    return mean


def reference_means(encoders: list[Encoder], previous: Means) -> Means:
    """Each centered model's mean reference vector per language, for the index; those of the
    previous index are kept when its references and model are the same (E5 takes seconds)."""
    fingerprint = _references_fingerprint()
    kept = previous.get("means", {}) if previous.get("references") == fingerprint else {}
    means = {encoder.model_id: kept.get(encoder.model_id) or
             {language: _mean_vector(encoder, language).tolist() for language in REFERENCE_QUESTIONS}
             for encoder in encoders if encoder.name in CENTERED_MODELS}
    return {"references": fingerprint, "means": means}


class LanguageCentering:
    """Per encoder and language, the mean vector of the reference questions, computed once."""

    def __init__(self) -> None:
        self._means: dict[tuple[str, str], np.ndarray] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()  # guards `_locks`

    def use(self, encoders: list[Encoder], stored: Means) -> None:
        """Take the means an index keeps (`reference_means`), unless its references are outdated."""
        if stored.get("references") != _references_fingerprint():
            return
        for encoder in encoders:
            for language, vector in stored["means"].get(encoder.model_id, {}).items():
                self._means.setdefault((encoder.name, language), np.asarray(vector, dtype=np.float32))

    @staticmethod
    def applies(model: str, language: str) -> bool:
        """Not for English, for languages without reference questions or for the English-only model."""
        return model in CENTERED_MODELS and language in REFERENCE_QUESTIONS

    def center(self, encoder: Encoder, vector: np.ndarray, language: str) -> np.ndarray:
        """The question's vector without its language's mean, unit length again; unchanged where
        centering does not apply."""
        if not self.applies(encoder.name, language):
            return vector
        centered = vector - settings.CENTERING_STRENGTH * self._mean(encoder, language)
        return (centered / np.linalg.norm(centered)).astype(vector.dtype)

    def prepare(self, encoders: list[Encoder]) -> None:
        """Encode every language's reference questions now, not on its first question."""
        for encoder in encoders:
            if encoder.name in CENTERED_MODELS:
                for language in REFERENCE_QUESTIONS:
                    self._mean(encoder, language)

    def _mean(self, encoder: Encoder, language: str) -> np.ndarray:
        key = (encoder.name, language)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        # two first questions in a language at once encode its references once; a question in
        # another language does not wait for them (under load, all of them took 5 to 7 s)
        with lock:
            if key not in self._means:
                self._means[key] = _mean_vector(encoder, language)
            return self._means[key]
