"""The default self-diagnosis questionnaire: the 15 competences of EntreComp (the European
entrepreneurship competence framework), in plain French, with statements a project holder
rates from 1 to 5. Loaded by a data migration; editors change it in Wagtail's admin."""

# (area, code, name, description, [statements])
ENTRECOMP = [
    (
        "ideas",
        "opportunites",
        "Repérer des opportunités",
        "Voir les besoins non couverts autour de soi et ce qu'un projet pourrait y apporter.",
        [
            "Je sais décrire un besoin de mon territoire que personne ne couvre bien.",
            "Je repère les personnes ou structures qui vivent ce besoin.",
        ],
    ),
    (
        "ideas",
        "creativite",
        "Créativité",
        "Imaginer plusieurs réponses, les essayer, les améliorer.",
        ["J'imagine plusieurs façons de répondre au besoin avant d'en choisir une."],
    ),
    (
        "ideas",
        "vision",
        "Vision",
        "Savoir où l'on veut aller et ce que le projet changera, dans quelques années.",
        ["Je sais dire en deux phrases ce que mon projet aura changé dans trois ans."],
    ),
    (
        "ideas",
        "valoriser-idees",
        "Valoriser ses idées",
        "Reconnaître la valeur d'une idée et la protéger, la partager ou la faire grandir.",
        ["Je sais expliquer ce qui rend mon idée utile et différente."],
    ),
    (
        "ideas",
        "ethique",
        "Penser éthique et durable",
        "Mesurer les effets du projet sur les personnes, le territoire et l'environnement.",
        [
            "Je sais quels effets, bons ou mauvais, mon projet peut avoir autour de lui.",
            "Je fais des choix en pensant à l'utilité sociale et à l'environnement.",
        ],
    ),
    (
        "resources",
        "confiance",
        "Connaissance et confiance en soi",
        "Connaître ses forces et ses limites, croire en sa capacité à agir.",
        ["Je connais mes points forts et ce que je dois faire avec d'autres."],
    ),
    (
        "resources",
        "motivation",
        "Motivation et persévérance",
        "Garder le cap malgré les obstacles, le manque de temps ou les refus.",
        ["Quand un obstacle arrive, je trouve l'énergie de continuer."],
    ),
    (
        "resources",
        "mobiliser-ressources",
        "Mobiliser des ressources",
        "Trouver le matériel, les lieux, les compétences et l'argent dont le projet a besoin.",
        ["Je sais où trouver les ressources (lieu, matériel, aides) dont mon projet a besoin."],
    ),
    (
        "resources",
        "finances",
        "Culture économique et financière",
        "Estimer ce que coûte et rapporte le projet, lire un budget, connaître les financements.",
        [
            "Je sais faire un budget prévisionnel simple de mon projet.",
            "Je connais les financements possibles pour un projet d'ESS.",
        ],
    ),
    (
        "resources",
        "mobiliser-autres",
        "Mobiliser les autres",
        "Donner envie à d'autres de rejoindre ou soutenir le projet.",
        ["Je sais présenter mon projet pour donner envie de le soutenir."],
    ),
    (
        "action",
        "initiative",
        "Prendre l'initiative",
        "Passer de l'idée aux actes, sans attendre que tout soit parfait.",
        ["Je lance des actions concrètes pour mon projet sans attendre qu'on me le demande."],
    ),
    (
        "action",
        "planifier",
        "Planifier et organiser",
        "Fixer des étapes, des priorités et un calendrier réaliste.",
        ["Je sais découper mon projet en étapes avec des dates."],
    ),
    (
        "action",
        "incertitude",
        "Faire face à l'incertitude",
        "Décider sans avoir toutes les informations, accepter une part de risque.",
        ["J'arrive à prendre une décision même quand je ne suis pas sûr·e du résultat."],
    ),
    (
        "action",
        "cooperer",
        "Travailler avec les autres",
        "Coopérer, partager le pouvoir de décision, s'appuyer sur un collectif.",
        ["Je travaille avec d'autres personnes ou structures sur mon projet."],
    ),
    (
        "action",
        "apprendre",
        "Apprendre de l'expérience",
        "Tirer les leçons de ce qui marche et de ce qui rate pour s'améliorer.",
        ["Après une action, je prends le temps de voir ce que j'en retiens."],
    ),
]
