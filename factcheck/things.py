"""Things the news names, as general knowledge: the words for one kind of thing, vehicles and
their makes, airliner types; and how a sentence names the vehicle driven into a crowd or the type
of a plane. The checks in ``compare`` ask their questions of what these read."""
from __future__ import annotations

import re

# Words news uses for one kind of thing, one after another (general knowledge): a "984-foot container
# ship" and a "947-foot cargo vessel" measure one thing.
THING_SYNONYMS = {"vessel": "ship", "freighter": "ship", "containership": "ship", "tanker": "ship",
                  "airliner": "plane", "aircraft": "plane", "airplane": "plane", "jetliner": "plane",
                  "lorry": "truck", "journey": "voyage", "trip": "voyage", "passage": "voyage"}


# Kinds of vehicle, by the words for them (general knowledge): a pickup is a truck, a lorry too.
VEHICLE_KINDS = {**dict.fromkeys(("truck", "pickup", "lorry"), "truck"), **dict.fromkeys(("van", "minivan"), "van"),
                 **dict.fromkeys(("car", "sedan", "suv", "jeep", "hatchback"), "car"), "bus": "bus",
                 **dict.fromkeys(("motorcycle", "motorbike", "scooter"), "motorcycle"), "tractor": "tractor"}
# Makers of cars (general knowledge): "a black BMW" is a car, and its make an answer of its own.
CAR_MAKES = {"bmw": "BMW", "mercedes": "Mercedes-Benz", "mercedes-benz": "Mercedes-Benz", "audi": "Audi",
             "volkswagen": "Volkswagen", "vw": "Volkswagen", "toyota": "Toyota", "honda": "Honda", "nissan": "Nissan",
             "hyundai": "Hyundai", "kia": "Kia", "tesla": "Tesla", "chevrolet": "Chevrolet", "chevy": "Chevrolet",
             "renault": "Renault", "peugeot": "Peugeot", "citroen": "Citroën", "opel": "Opel", "skoda": "Škoda",
             "volvo": "Volvo", "mazda": "Mazda", "subaru": "Subaru", "porsche": "Porsche", "fiat": "Fiat",
             "jaguar": "Jaguar", "lexus": "Lexus", "dodge": "Dodge", "chrysler": "Chrysler", "cadillac": "Cadillac"}
_VEHICLE = r"(?P<vehicle>" + "|".join(sorted(VEHICLE_KINDS, key=len, reverse=True)) + r")s?\b"
_MAKE = r"(?P<make>" + "|".join(sorted(CAR_MAKES, key=len, reverse=True)) + r")\b"
_RAM_VERB = r"(?:plowed|ploughed|drove|rammed|slammed|barrell?ed|careered|sped|raced|smashed|crashed|ran|tore)"
# A vehicle driven into people: "drove a pickup truck into a crowd", "plowed through a crowd with a
# pickup truck", "drove the van at high speed into the crowd"; or the vehicle doing it: "a van
# plowed into a crowd", "a black BMW barrelled through revellers".
RAMMING = re.compile(rf"(?i)\b(?:drove|driving|drive|rammed|ramming|plowed|ploughed|slammed|steered)\s+"
                     rf"(?:(?:into|through)\s+(?:a|the)\s+(?:\w+\s+){{0,2}}crowd\w*\s+with\s+)?(?:a|an|the|his|her|their)\s+"
                     rf"(?:[\w-]+\s+){{0,4}}?{_VEHICLE}|"
                     rf"\b(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?{_VEHICLE.replace('?P<vehicle>', '?P<subject>')}\s+"
                     rf"{_RAM_VERB}\s+(?:for\s+\S+\s+\w+\s+)?"
                     rf"(?:into|through)\b")
RAMMING_MAKE = re.compile(rf"(?i)\b(?:drove|driving|drive|rammed|ramming|plowed|ploughed|slammed|steered)\s+"
                          rf"(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){{0,3}}?{_MAKE}|"
                          rf"\b(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,2}}?{_MAKE.replace('?P<make>', '?P<subject_make>')}"
                          rf"(?:\s+[\w-]+){{0,2}}?\s+{_RAM_VERB}\s+"
                          rf"(?:for\s+\S+\s+\w+\s+)?(?:into|through)\b")
CROWD = re.compile(r"(?i)\b(?:crowd\w*|pedestrians|revell?ers|shoppers|protesters|market|people)\b")


def rammed(text: str) -> tuple[str, str]:
    """(kind, make) of the vehicle a sentence says was driven into people ("a black Mercedes SUV
    ploughed into crowds": car, Mercedes-Benz); "" for what it does not say. A make alone is a car."""
    if not CROWD.search(text):
        return "", ""
    kind = RAMMING.search(text)
    make = RAMMING_MAKE.search(text)
    return (VEHICLE_KINDS[(kind["vehicle"] or kind["subject"]).lower()] if kind else "car" if make else "",
            CAR_MAKES[(make["make"] or make["subject_make"]).lower()] if make else "")


# Airliner types by their base model, as news names them (general knowledge): "Boeing 737-800" and
# "Boeing 737" are one type, a "Bombardier CRJ-700" and a "CRJ700 jet" one, an "Embraer ERJ-145" another.
AIRLINER_TYPES = [
    (re.compile(r"\bBoeing\s+(7[0-9]7)\b|\b(7[0-9]7)(?:-\d+)?\s+(?:Dreamliner|MAX|jet|jetliner|aircraft|airliner|plane)\b"),
     "Boeing {}"),
    (re.compile(r"\b(?:Airbus\s+)?(A3[0-9]{2})(?:-\d+|neo)?\b"), "Airbus {}"),
    (re.compile(r"\b(?:Bombardier\s+|Mitsubishi\s+)?CRJ[- ]?(\d{3,4})\b"), "Bombardier CRJ{}"),
    (re.compile(r"\b(?:Embraer\s+)?(?:ERJ|EMB)[- ]?(\d{3})\b|\bEmbraer\s+E?(\d{3})\b"), "Embraer {}"),
    (re.compile(r"\bATR[- ]?(42|72)\b"), "ATR {}"),
    (re.compile(r"\b(?:Dash[- ]8|Q400)\b()"), "De Havilland Dash 8"),
    (re.compile(r"\bSukhoi\s+(?:Superjet|SSJ)\b()"), "Sukhoi Superjet"),
]


def airliner(text: str) -> str:
    """The one airliner type a sentence names ("a PSA Airlines-operated Embraer ERJ-145": Embraer 145),
    "" for none or several."""
    found = {template.format(next((g for g in m.groups() if g), "")).strip()
             for pattern, template in AIRLINER_TYPES for m in pattern.finditer(text)}
    return found.pop() if len(found) == 1 else ""
