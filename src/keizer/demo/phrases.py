# ruff: noqa: E501  (phrases read better unbroken)
"""Vocabularies for the demo comments, Dutch and English, written for the demo.

Labels follow the text analytics' vocabularies (keizer.text): themes ``cx.*``/``ex.*``,
emotions (anger, frustration, worry, sadness, joy, gratitude, confusion) and the four
vulnerability drivers (health, life_events, resilience, capability). Every entry is a tuple of
interchangeable phrasings; ``{topic}`` is filled with the contact's topic.
"""

from __future__ import annotations

Variants = tuple[str, ...]
ByLanguage = dict[str, Variants]

TOPICS = (
    "payment_arrangement", "application_status", "change_of_details", "objection",
    "digid_login", "benefit_amount", "repayment", "general_question",
)  # fmt: skip
TOPIC_SHARES = (0.14, 0.18, 0.13, 0.08, 0.10, 0.15, 0.10, 0.12)
TOPIC_WORDS: dict[str, ByLanguage] = {
    "payment_arrangement": {"nl": ("een betalingsregeling",), "en": ("a payment plan",)},
    "application_status": {"nl": ("de status van mijn aanvraag",), "en": ("the status of my application",)},
    "change_of_details": {"nl": ("een wijziging van mijn gegevens",), "en": ("a change to my details",)},
    "objection": {"nl": ("mijn bezwaar",), "en": ("my objection",)},
    "digid_login": {"nl": ("het inloggen met DigiD",), "en": ("logging in with DigiD",)},
    "benefit_amount": {"nl": ("de hoogte van mijn toeslag",), "en": ("the amount of my allowance",)},
    "repayment": {"nl": ("de terugbetaling",), "en": ("the repayment",)},
    "general_question": {"nl": ("een algemene vraag",), "en": ("a general question",)},
}  # fmt: skip

GOALS: ByLanguage = {
    "nl": (
        "Ik wilde {topic} regelen.", "Ik belde over {topic}.", "Ik had een vraag over {topic}.",
        "Duidelijkheid over {topic}.", "Informatie krijgen over {topic}.",
        "Ik wilde weten hoe het zit met {topic}.", "{topic} afhandelen.",
    ),
    "en": (
        "I wanted to sort out {topic}.", "I called about {topic}.",
        "I had a question about {topic}.", "Clarity about {topic}.",
        "To get information about {topic}.", "I wanted to know where I stand with {topic}.",
    ),
}  # fmt: skip
GOAL_DONE: ByLanguage = {
    "nl": ("Dat is gelukt, top!", "Dat is prima gelukt.", "En dat is helemaal goed gekomen."),
    "en": ("And that worked out, great!", "Which was sorted out nicely.", "All done, excellent."),
}

NO_FRICTION: ByLanguage = {
    "nl": (
        "Nergens, alles ging soepel.", "Geen, ik werd goed geholpen.",
        "Er was geen frictie, prima service.", "Nergens. Fijne medewerker die meedacht.",
        "Niks, het was snel en duidelijk geregeld.",
    ),
    "en": (
        "Nowhere, everything went smoothly.", "None, I was helped well.",
        "No friction at all, great service.", "Nowhere. Helpful agent who thought along.",
        "Nothing, it was sorted quickly and clearly.",
    ),
}  # fmt: skip

#: Customer friction themes: negative and neutral phrasings; positive where praise is typical.
CX_THEMES: dict[str, dict[str, dict[str, Variants]]] = {
    "cx.waiting_time": {
        "nl": {
            "negative": (
                "Ik heb veel te lang in de wacht gestaan.", "De wachttijd was meer dan een half uur.",
                "Het duurde eindeloos voordat er werd opgenomen.",
                "Ik moest ontzettend lang wachten op een reactie op mijn mail.",
                "Veel te lang gewacht in de wachtrij.",
            ),
            "neutral": ("Ik moest wel even wachten.", "De wachttijd was wat lang."),
            "positive": ("Ik werd snel geholpen, nauwelijks wachttijd.",),
        },
        "en": {
            "negative": (
                "I was on hold for far too long.", "The waiting time was over half an hour.",
                "It took forever before anyone picked up.",
                "I had to wait ages for a reply to my email.", "Waited far too long in the queue.",
            ),
            "neutral": ("I had to wait a little while.", "The waiting time was a bit long."),
            "positive": ("I was helped quickly, hardly any waiting time.",),
        },
    },
    "cx.transfer": {
        "nl": {
            "negative": (
                "Ik werd drie keer doorverbonden en moest steeds opnieuw mijn verhaal doen.",
                "Van het kastje naar de muur gestuurd.",
                "Ik werd doorgeschakeld naar de verkeerde afdeling.",
                "Telkens iemand anders aan de lijn die van niks wist.",
            ),
            "neutral": ("Ik werd doorverbonden naar een andere afdeling.",),
        },
        "en": {
            "negative": (
                "I was transferred three times and had to explain everything again.",
                "I got passed around from one department to another.",
                "I was put through to the wrong department.",
                "Every time someone different who knew nothing about it.",
            ),
            "neutral": ("I was transferred to another department.",),
        },
    },
    "cx.repeat_contact": {
        "nl": {
            "negative": (
                "Dit is al de derde keer dat ik bel en het is nog steeds niet opgelost.",
                "Ik zou teruggebeld worden maar dat is nooit gebeurd.",
                "Ik heb meerdere keren contact gehad en steeds weer hetzelfde verhaal.",
                "Nog steeds geen reactie, dus ik moest opnieuw bellen.",
            ),
            "neutral": ("Ik moest er nog een keer over bellen.",),
        },
        "en": {
            "negative": (
                "This is the third time I have called and it is still not resolved.",
                "I was promised a call back but it never happened.",
                "I have been in touch several times and it is the same story again and again.",
                "Still no response, so I had to call again.",
            ),
            "neutral": ("I had to call about it a second time.",),
        },
    },
    "cx.unclear_information": {
        "nl": {
            "negative": (
                "Ik kreeg tegenstrijdige informatie van verschillende medewerkers.",
                "De uitleg was onduidelijk en ik weet nog steeds niet waar ik aan toe ben.",
                "De brief is onbegrijpelijk en vol kleine lettertjes.",
                "Iedereen zegt iets anders.",
            ),
            "neutral": ("De informatie op de website was niet helemaal duidelijk.",),
            "positive": ("De medewerker gaf een heel duidelijke uitleg.",),
        },
        "en": {
            "negative": (
                "I got conflicting information from different people.",
                "The explanation was unclear and I still do not know where I stand.",
                "The letter is confusing and full of small print.",
                "Everyone tells me something different.",
            ),
            "neutral": ("The information on the website was not entirely clear.",),
            "positive": ("The agent gave a really clear explanation.",),
        },
    },
    "cx.rude_unhelpful": {
        "nl": {
            "negative": (
                "De medewerker was onvriendelijk en luisterde niet.",
                "Ik werd afgepoeierd en niet serieus genomen.",
                "Zeer onbeschoft te woord gestaan.",
                "Er werd totaal niet meegedacht.",
            ),
            "neutral": ("De medewerker was wat kortaf.",),
            "positive": ("Vriendelijke en behulpzame medewerker.", "Wat een fijne medewerker, echt meegedacht."),
        },
        "en": {
            "negative": (
                "The agent was rude and did not listen.",
                "I was brushed off and not taken seriously.",
                "Treated very impolitely.", "Nobody tried to help me at all.",
            ),
            "neutral": ("The agent was a bit short with me.",),
            "positive": ("Friendly and helpful agent.", "Lovely agent who really thought along."),
        },
    },
    "cx.process_rules": {
        "nl": {
            "negative": (
                "De regels zijn veel te star, er is geen ruimte voor mijn situatie.",
                "Ik moest weer allerlei formulieren invullen en bewijsstukken opsturen.",
                "Een onnodig ingewikkelde procedure.",
                "Ze mogen niets zelf beslissen, alles moet via een andere afdeling.",
            ),
            "neutral": ("Ik moest nog een formulier opsturen.",),
        },
        "en": {
            "negative": (
                "The rules are far too rigid, there is no room for my situation.",
                "Once again I had to fill in all kinds of forms and send proof.",
                "An unnecessarily complicated procedure.",
                "They are not allowed to decide anything, everything goes to another department.",
            ),
            "neutral": ("I still had to send in a form.",),
        },
    },
    "cx.digital_channel": {
        "nl": {
            "negative": (
                "Inloggen met DigiD lukte steeds niet.", "De website gaf de hele tijd een foutmelding.",
                "De app werkt niet en het formulier online loopt vast.",
                "Ik kon het nergens vinden op de website.",
            ),
            "neutral": ("Online kon ik het niet vinden, daarom belde ik.",),
        },
        "en": {
            "negative": (
                "Logging in with DigiD kept failing.", "The website kept giving an error message.",
                "The app does not work and the online form keeps freezing.",
                "I could not find it anywhere on the website.",
            ),
            "neutral": ("I could not find it online, so I called.",),
        },
    },
    "cx.outcome_decision": {
        "nl": {
            "negative": (
                "Ik ben het niet eens met het besluit.", "Mijn aanvraag is afgewezen zonder goede reden.",
                "De beslissing is onterecht en ik moet nu terugbetalen.",
                "Ik krijg minder dan waar ik recht op heb.",
            ),
            "neutral": ("Het besluit is anders dan ik had verwacht.",),
        },
        "en": {
            "negative": (
                "I do not agree with the decision.", "My application was rejected without a good reason.",
                "The decision is wrong and now I have to pay back money.",
                "I am getting less than I am entitled to.",
            ),
            "neutral": ("The decision was different from what I expected.",),
        },
    },
}  # fmt: skip

#: Employee themes (the EES drivers first).
EX_THEMES: dict[str, dict[str, dict[str, Variants]]] = {
    "ex.time": {
        "nl": {
            "negative": (
                "Er is geen tijd om klanten echt goed te helpen, de wachtrij moet weg.",
                "De afhandeltijd is te krap, ik moet gesprekken afraffelen.",
                "We hebben geen tijd voor nazorg of terugbellen.",
            ),
            "positive": ("Ik krijg de tijd om klanten goed te helpen.",),
        },
        "en": {
            "negative": (
                "There is no time to help customers properly, the queue must go down.",
                "Handling time targets are too tight, I have to rush calls.",
                "We have no time for follow-up or calling back.",
            ),
            "positive": ("I get the time to help customers properly.",),
        },
    },
    "ex.information": {
        "nl": {
            "negative": (
                "Ik kan de juiste informatie niet vinden in de kennisbank.",
                "Werkinstructies zijn verouderd en spreken elkaar tegen.",
                "We horen wijzigingen pas van de klant in plaats van van de organisatie.",
            ),
            "positive": ("De nieuwe kennisbank helpt echt, alles is makkelijk te vinden.",),
        },
        "en": {
            "negative": (
                "I cannot find the right information in the knowledge base.",
                "Work instructions are outdated and contradict each other.",
                "We hear about changes from customers instead of from the organisation.",
            ),
            "positive": ("The new knowledge base really helps, everything is easy to find.",),
        },
    },
    "ex.authority": {
        "nl": {
            "negative": (
                "Ik mag niets zelf beslissen, alles moet via de tweede lijn.",
                "Geen mandaat om een betalingsregeling af te spreken.",
                "Ik moet klanten doorverbinden terwijl ik het zelf had kunnen oplossen.",
            ),
            "positive": ("Ik mag zelf beslissen wat de klant nodig heeft, dat werkt goed.",),
        },
        "en": {
            "negative": (
                "I am not allowed to decide anything myself, everything goes to second line.",
                "No mandate to agree a payment plan.",
                "I have to transfer customers while I could have solved it myself.",
            ),
            "positive": ("I may decide myself what the customer needs, that works well.",),
        },
    },
    "ex.competence": {
        "nl": {
            "negative": (
                "Ik heb te weinig training gehad voor de nieuwe regelingen.",
                "Nieuwe collega's worden zonder goede inwerking aan de telefoon gezet.",
                "Ik weet niet genoeg van zakelijke klanten om ze goed te helpen.",
            ),
            "positive": ("Goede trainingen gehad, ik voel me zeker in mijn werk.",),
        },
        "en": {
            "negative": (
                "I had too little training on the new schemes.",
                "New colleagues are put on the phone without proper onboarding.",
                "I do not know enough about business customers to help them well.",
            ),
            "positive": ("Had good training, I feel confident in my work.",),
        },
    },
    "ex.tools_systems": {
        "nl": {
            "negative": (
                "De systemen zijn traag en lopen steeds vast.",
                "Thuis heb ik maar één scherm en een slechte headset.",
                "Ik moet in vijf systemen tegelijk werken.",
            ),
        },
        "en": {
            "negative": (
                "The systems are slow and keep crashing.",
                "At home I only have one screen and a poor headset.",
                "I have to work in five systems at the same time.",
            ),
        },
    },
    "ex.workload_stress": {
        "nl": {
            "negative": (
                "De werkdruk is veel te hoog, ik ben aan het eind van de dag op.",
                "Gesprek na gesprek zonder pauze, dat houd ik niet vol.",
                "Veel collega's zijn ziek dus wij moeten alles opvangen.",
            ),
        },
        "en": {
            "negative": (
                "The workload is far too high, I am exhausted at the end of the day.",
                "Call after call without a break, I cannot keep this up.",
                "Many colleagues are off sick so we have to absorb everything.",
            ),
        },
    },
    "ex.manager": {
        "nl": {
            "negative": (
                "Mijn teamleider is nooit beschikbaar.", "Ik krijg geen steun of feedback van mijn leidinggevende.",
            ),
            "positive": ("Mijn teamleider staat altijd voor ons klaar.",),
        },
        "en": {
            "negative": (
                "My team lead is never available.", "I get no support or feedback from my manager.",
            ),
            "positive": ("My team lead is always there for us.",),
        },
    },
    "ex.growth": {
        "nl": {
            "negative": (
                "Er zijn geen doorgroeimogelijkheden.", "Ik doe al jaren hetzelfde werk zonder perspectief.",
            ),
        },
        "en": {
            "negative": (
                "There are no opportunities to grow.", "I have done the same work for years with no prospects.",
            ),
        },
    },
}  # fmt: skip

EMOTIONS: dict[str, ByLanguage] = {
    "anger": {
        "nl": ("Dit is echt schandalig.", "Ik ben woedend.", "Belachelijk gewoon!", "Onacceptabel."),
        "en": ("This is an absolute disgrace.", "I am furious.", "Ridiculous!", "Unacceptable."),
    },
    "frustration": {
        "nl": ("Heel frustrerend.", "Ik ben het echt zat.", "Wat een irritante gang van zaken.", "Ik baal ervan."),
        "en": ("Very frustrating.", "I am really fed up.", "What an annoying way of working.", "So annoying."),
    },
    "worry": {
        "nl": ("Ik maak me grote zorgen.", "Ik ben bang dat het niet goed komt.", "Ik lig er wakker van."),
        "en": ("I am really worried.", "I am afraid it will not work out.", "I am anxious about it."),
    },
    "sadness": {
        "nl": ("Ik ben erg teleurgesteld.", "Jammer, dit had ik niet verwacht.", "Heel teleurstellend."),
        "en": ("I am very disappointed.", "Sadly not what I expected.", "Very disappointing."),
    },
    "confusion": {
        "nl": ("Ik snap er niks van.", "Ik begrijp niet wat ik nu moet doen.", "Heel verwarrend allemaal."),
        "en": ("I do not understand any of it.", "I have no idea what I am supposed to do now.", "All very confusing."),
    },
    "joy": {
        "nl": ("Ik ben er heel blij mee!", "Top geregeld!", "Super, echt fijn."),
        "en": ("I am very happy with it!", "Brilliantly handled!", "Great, really pleased."),
    },
    "gratitude": {
        "nl": ("Dank je wel voor de hulp!", "Hartelijk dank.", "Bedankt, ik ben geholpen."),
        "en": ("Thank you so much for the help!", "Many thanks.", "Thanks, I got the help I needed."),
    },
}  # fmt: skip
NEGATIVE_EMOTIONS = ("anger", "frustration", "worry", "sadness", "confusion")
POSITIVE_EMOTIONS = ("joy", "gratitude")

VULNERABILITY: dict[str, ByLanguage] = {
    "health": {
        "nl": (
            "Ik lig net uit het ziekenhuis na een operatie.", "Ik ben chronisch ziek en kan niet lang bellen.",
            "Door mijn depressie lukt het me niet om alles bij te houden.",
            "Ik ben slechthorend, bellen is lastig voor mij.",
        ),
        "en": (
            "I have just come out of hospital after surgery.", "I am chronically ill and cannot stay on the phone for long.",
            "Because of my depression I cannot keep up with everything.",
            "I am hard of hearing, so phoning is difficult for me.",
        ),
    },
    "life_events": {
        "nl": (
            "Mijn man is vorige maand overleden.", "Ik zit midden in een scheiding.",
            "Ik ben net mijn baan kwijtgeraakt.", "Na het overlijden van mijn moeder moet ik alles regelen.",
        ),
        "en": (
            "My husband passed away last month.", "I am in the middle of a divorce.",
            "I have just lost my job.", "After my mother died I have to arrange everything.",
        ),
    },
    "resilience": {
        "nl": (
            "Ik heb schulden en kan de rekeningen niet meer betalen.",
            "Ik heb geen geld meer voor boodschappen.", "Ik zit financieel echt klem.",
        ),
        "en": (
            "I am in debt and can no longer pay the bills.",
            "I have no money left for groceries.", "I am in serious financial trouble.",
        ),
    },
    "capability": {
        "nl": (
            "Ik kan niet goed lezen en de brief begrijp ik niet.", "Ik heb geen computer en digitaal ben ik niet handig.",
            "Nederlands is niet mijn moedertaal, ik begrijp het niet goed.",
        ),
        "en": (
            "I cannot read well and I do not understand the letter.", "I do not have a computer and I am not good with digital things.",
            "Dutch is not my first language and I do not understand it well.",
        ),
    },
}  # fmt: skip
VULNERABILITY_DRIVERS = ("health", "life_events", "resilience", "capability")
VULNERABILITY_SHARES = (0.35, 0.30, 0.20, 0.15)
ALSO: ByLanguage = {
    "nl": ("Daarnaast:", "En ook:", "Bovendien:"),
    "en": ("Also:", "On top of that:", "Besides,"),
}
