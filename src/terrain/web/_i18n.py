"""The words of the web pages, in French and English, and dates in the community's way."""

from __future__ import annotations

from datetime import datetime

__all__ = ["LANGUAGES", "format_day", "format_time", "words"]

LANGUAGES = ("fr", "en")

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "language_name": "Français",
        "switch": "English",
        "skip": "Aller au contenu",
        "when": "Quand",
        "where": "Où",
        "agenda": "Programme",
        "welcome": "Accueil",
        "talk": "Intervention",
        "qa": "Questions",
        "networking": "Échanges",
        "seats_left": "{n} place(s) libre(s)",
        "full": "Complet : liste d'attente ({n} personne(s))",
        "no_limit": "Entrée libre",
        "going_count": "{n} personne(s) inscrite(s)",
        "cancelled": "Cet événement est annulé.",
        "past": "Cet événement a eu lieu.",
        "you_are": "Vous êtes : {status}",
        "status_going": "inscrit·e",
        "status_waitlist": "sur liste d'attente",
        "status_checked-in": "arrivé·e",
        "status_cancelled": "désinscrit·e",
        "status_no-show": "absent·e",
        "status_none": "pas encore inscrit·e",
        "answer_going": "Je viens",
        "answer_waitlist": "Liste d'attente",
        "answer_cancel": "Je ne viens plus",
        "check_in": "Je suis arrivé·e",
        "give_consent": "Mon accord pour les photos de ce soir",
        "ask_title": "Recevoir un lien par e-mail",
        "ask_help": (
            "Indiquez l'adresse que la communauté connaît : nous y envoyons un lien "
            "personnel. Rien d'autre n'est demandé."
        ),
        "email": "Adresse e-mail",
        "ask_for": "Pour",
        "ask_rsvp": "répondre à l'invitation",
        "ask_check-in": "signaler mon arrivée",
        "ask_consent": "donner ou refuser mon accord pour les photos",
        "ask_personal": "ouvrir ma page personnelle",
        "send": "Envoyer le lien",
        "sent_title": "Vérifiez votre messagerie",
        "sent": (
            "Si cette adresse est celle d'un membre, un lien vient d'y être envoyé. Il est "
            "personnel et expire vite : ouvrez-le sur ce téléphone."
        ),
        "poster": "Affiche à imprimer",
        "poster_scan": "Scannez pour répondre, signaler votre arrivée et donner votre accord",
        "print": "Imprimer",
        "answer_saved": "C'est noté : {status}.",
        "promoted": "{n} personne(s) de la liste d'attente ont obtenu une place (prévenues).",
        "checked_in": "Bienvenue, {name} ! Votre arrivée est notée.",
        "consent_title": "Votre accord pour les photos et vidéos",
        "for_whom": "Pour : {name}",
        "purposes": "Ce que vous acceptez",
        "purposes_help": "Cochez ce que vous acceptez ; ce qui n'est pas coché est refusé.",
        "platforms": "Où",
        "every_platform": "Sur tous les réseaux et le site de la communauté",
        "only_these": "Seulement sur :",
        "scope": "Pour quels événements",
        "duration": "Pendant combien de temps",
        "days_365": "1 an",
        "days_30": "30 jours",
        "days_none": "Jusqu'à ce que je retire mon accord",
        "right": "Votre droit de retrait",
        "minor_note": (
            "Vous êtes mineur·e : votre réponse compte, et vos représentants légaux "
            "enregistrés ({names}) recevront chacun un lien pour confirmer."
        ),
        "minor_no_email": "{name} n'a pas d'adresse e-mail : l'équipe lui remettra son lien.",
        "submit_consent": "Enregistrer mes choix",
        "consent_saved": "Vos choix sont enregistrés. Vous pouvez les retirer à tout moment.",
        "consent_waiting": (
            "Vos choix sont enregistrés. En attente de la confirmation de : {names}."
        ),
        "guardian_title": "Accord demandé pour {child}",
        "guardian_intro": (
            "{child} a rempli ce formulaire. Comme représentant légal, votre accord est "
            "nécessaire. Voici exactement ce qui a été présenté :"
        ),
        "guardian_others": "Les autres représentants légaux ({names}) sont aussi sollicités.",
        "agree": "J'accepte",
        "refuse": "Je refuse",
        "guardian_done_yes": "Merci, votre accord est enregistré.",
        "guardian_done_no": "Merci, votre refus est enregistré : rien ne sera publié.",
        "still_waiting": "En attente aussi de : {names}.",
        "me_title": "Ma page",
        "hello": "Bonjour {name}",
        "my_events": "Mes prochains événements",
        "my_consents": "Ce que j'ai accepté",
        "no_consent": "Aucun accord enregistré.",
        "consent_status_given": "en vigueur",
        "consent_status_refused": "refusé",
        "consent_status_withdrawn": "retiré",
        "consent_status_expired": "expiré",
        "consent_status_partly-withdrawn": "en vigueur, retiré en partie",
        "consent_status_scheduled": "en vigueur plus tard",
        "consent_status_pending-guardian": "en attente d'un parent",
        "consent_status_pending-assent": "en attente de l'accord de l'enfant",
        "consent_status_lifted": "refus levé depuis",
        "waiting_for": "en attente de : {names}",
        "all_content": "tous les contenus",
        "until": "jusqu'au {day}",
        "withdraw": "Retirer",
        "withdraw_all": "Tout retirer",
        "withdraw_purpose": "Retirer « {what} » partout",
        "withdraw_platform": "Ne plus rien publier sur {what}",
        "withdraw_event": "Retirer pour {what}",
        "withdraw_help": (
            "Un clic suffit. Plus rien n'est publié à partir de maintenant, et ce qui a été "
            "publié est retiré."
        ),
        "withdrawn": (
            "Retrait enregistré : plus rien n'est publié à ce titre. {n} publication(s) à "
            "retirer (suivi ci-dessous)."
        ),
        "my_photos": "Les photos où j'apparais",
        "no_photo": "Aucune photo.",
        "my_posts": "Ce qui a été publié avec moi",
        "no_post": "Rien n'a été publié avec vous.",
        "taken_down": "retiré le {day}",
        "online": "en ligne",
        "takedowns": "Retraits en cours",
        "takedown_queued": "en attente",
        "takedown_claimed": "en cours",
        "takedown_deleted": "supprimé",
        "takedown_manual": "à retirer à la main",
        "takedown_failed": "à retirer à la main",
        "by_hand": "À retirer à la main par l'équipe : {where}",
        "logout": "Me déconnecter de ce téléphone",
        "refused_title": "Ce lien ne peut pas être utilisé",
        "refused": (
            "Il a peut-être expiré, déjà servi, ou été révoqué. Demandez-en un nouveau :"
        ),
        "error_title": "Impossible",
        "too_many": "Trop de demandes en peu de temps. Réessayez dans une minute.",
        "bad_form": "Ce formulaire a expiré. Rechargez la page et recommencez.",
        "not_found": "Cette page n'existe pas.",
        "back_event": "Retour à l'événement",
        "home_title": "Bienvenue",
        "home_intro": (
            "Ici, les membres de {community} répondent aux invitations, donnent ou retirent "
            "leur accord pour les photos, et voient ce qui a été publié avec eux."
        ),
    },
    "en": {
        "language_name": "English",
        "switch": "Français",
        "skip": "Skip to content",
        "when": "When",
        "where": "Where",
        "agenda": "Agenda",
        "welcome": "Welcome",
        "talk": "Talk",
        "qa": "Questions",
        "networking": "Networking",
        "seats_left": "{n} seat(s) left",
        "full": "Full: waiting list ({n} people)",
        "no_limit": "Open to all",
        "going_count": "{n} people going",
        "cancelled": "This event is cancelled.",
        "past": "This event took place.",
        "you_are": "You are: {status}",
        "status_going": "going",
        "status_waitlist": "on the waiting list",
        "status_checked-in": "checked in",
        "status_cancelled": "not going",
        "status_no-show": "no-show",
        "status_none": "not answered yet",
        "answer_going": "I'm going",
        "answer_waitlist": "Waiting list",
        "answer_cancel": "I can't come",
        "check_in": "I'm here",
        "give_consent": "My agreement for tonight's photos",
        "ask_title": "Get a link by email",
        "ask_help": (
            "Give the address the community knows: we send a personal link to it. Nothing "
            "else is asked."
        ),
        "email": "Email address",
        "ask_for": "To",
        "ask_rsvp": "answer the invitation",
        "ask_check-in": "check in",
        "ask_consent": "give or refuse my agreement for photos",
        "ask_personal": "open my personal page",
        "send": "Send the link",
        "sent_title": "Check your email",
        "sent": (
            "If this address is a member's, a link was just sent to it. It is personal and "
            "expires soon: open it on this phone."
        ),
        "poster": "Printable poster",
        "poster_scan": "Scan to answer, check in and give your agreement",
        "print": "Print",
        "answer_saved": "Noted: {status}.",
        "promoted": "{n} people from the waiting list got a seat (they were told).",
        "checked_in": "Welcome, {name}! You are checked in.",
        "consent_title": "Your agreement for photos and videos",
        "for_whom": "For: {name}",
        "purposes": "What you agree to",
        "purposes_help": "Tick what you agree to; what is not ticked is refused.",
        "platforms": "Where",
        "every_platform": "On every network and the community's website",
        "only_these": "Only on:",
        "scope": "For which events",
        "duration": "For how long",
        "days_365": "1 year",
        "days_30": "30 days",
        "days_none": "Until I withdraw it",
        "right": "Your right to withdraw",
        "minor_note": (
            "You are a minor: your answer counts, and your parents or guardians on record "
            "({names}) will each get a link to confirm."
        ),
        "minor_no_email": "{name} has no email address: the team will hand them their link.",
        "submit_consent": "Save my choices",
        "consent_saved": "Your choices are saved. You can withdraw them at any time.",
        "consent_waiting": "Your choices are saved. Waiting for confirmation from: {names}.",
        "guardian_title": "Agreement asked for {child}",
        "guardian_intro": (
            "{child} filled in this form. As their parent or guardian, your agreement is "
            "needed. Here is exactly what was shown:"
        ),
        "guardian_others": "The other parents or guardians ({names}) are asked too.",
        "agree": "I agree",
        "refuse": "I refuse",
        "guardian_done_yes": "Thank you, your agreement is recorded.",
        "guardian_done_no": "Thank you, your refusal is recorded: nothing will be published.",
        "still_waiting": "Also waiting for: {names}.",
        "me_title": "My page",
        "hello": "Hello {name}",
        "my_events": "My next events",
        "my_consents": "What I agreed to",
        "no_consent": "No agreement recorded.",
        "consent_status_given": "in force",
        "consent_status_refused": "refused",
        "consent_status_withdrawn": "withdrawn",
        "consent_status_expired": "expired",
        "consent_status_partly-withdrawn": "in force, partly withdrawn",
        "consent_status_scheduled": "in force later",
        "consent_status_pending-guardian": "waiting for a guardian",
        "consent_status_pending-assent": "waiting for the child's own agreement",
        "consent_status_lifted": "refusal lifted since",
        "waiting_for": "waiting for: {names}",
        "all_content": "all content",
        "until": "until {day}",
        "withdraw": "Withdraw",
        "withdraw_all": "Withdraw everything",
        "withdraw_purpose": "Withdraw “{what}” everywhere",
        "withdraw_platform": "Publish nothing more on {what}",
        "withdraw_event": "Withdraw for {what}",
        "withdraw_help": (
            "One click is enough. Nothing more is published from now on, and what was "
            "published is taken down."
        ),
        "withdrawn": (
            "Withdrawal recorded: nothing more is published under it. {n} post(s) to take "
            "down (progress below)."
        ),
        "my_photos": "Photos I appear in",
        "no_photo": "No photo.",
        "my_posts": "What was published with me",
        "no_post": "Nothing was published with you.",
        "taken_down": "taken down on {day}",
        "online": "online",
        "takedowns": "Takedowns in progress",
        "takedown_queued": "waiting",
        "takedown_claimed": "in progress",
        "takedown_deleted": "deleted",
        "takedown_manual": "to remove by hand",
        "takedown_failed": "to remove by hand",
        "by_hand": "To be removed by hand by the team: {where}",
        "logout": "Sign out on this phone",
        "refused_title": "This link cannot be used",
        "refused": "It may have expired, been used already, or been revoked. Ask for a new one:",
        "error_title": "Not possible",
        "too_many": "Too many requests in a short time. Try again in a minute.",
        "bad_form": "This form expired. Reload the page and try again.",
        "not_found": "This page does not exist.",
        "back_event": "Back to the event",
        "home_title": "Welcome",
        "home_intro": (
            "Here the members of {community} answer invitations, give or withdraw their "
            "agreement for photos, and see what was published with them."
        ),
    },
}

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def words(language: str) -> dict[str, str]:
    """Every word of the pages in ``language`` (English for one terrain does not know)."""
    return _WORDS.get(language, _WORDS["en"])


def format_day(at: datetime, language: str) -> str:
    """``jeudi 12 novembre 2026`` / ``Thursday 12 November 2026`` (``at``'s own zone)."""
    lang = language if language in _DAYS else "en"
    return f"{_DAYS[lang][at.weekday()]} {at.day} {_MONTHS[lang][at.month - 1]} {at.year}"


def format_time(at: datetime, language: str) -> str:
    """``19:00`` in ``at``'s own zone (both languages use the 24-hour clock here)."""
    return f"{at.hour:02d}:{at.minute:02d}"
