"""Call scripts and letter questions for the seed campaigns (by slug), in our own words.

`{title}` and `{member}` become the member's title and name on the confirmed page."""

_OPENING = "Hello, my name is ___ and I live in ___, ZIP code ___. I am a constituent of {title} {member}."

SEED_CALLS: dict[str, dict[str, str]] = {
    "paid-family-leave": {
        "call_script": (
            f"{_OPENING}\n\n"
            "I am calling to ask {title} {member} to support a national paid family and medical leave law "
            "that covers every worker, including nurses, teachers, receptionists and service workers.\n\n"
            "No one should have to choose between a paycheck and a newborn or a sick parent. Thank you."),
        "letter_prompts": ("What happened when you or someone in your family needed time off for a birth or an "
                           "illness?\nWhat would paid leave change for your family?"),
    },
    "raise-minimum-wage": {
        "call_script": (
            f"{_OPENING}\n\n"
            "I am calling to ask {title} {member} to raise the federal minimum wage so that a full-time job "
            "keeps a family out of poverty.\n\nThank you for passing my message on."),
        "letter_prompts": "How do you make ends meet on your wage?\nWhat would a raise let your family do?",
    },
    "affordable-child-care": {
        "call_script": (
            f"{_OPENING}\n\n"
            "I am calling to ask {title} {member} to make child care affordable for working families and to "
            "pay child care workers fairly.\n\nParents cannot work without care, and care workers deserve a "
            "living wage. Thank you."),
        "letter_prompts": ("What does child care cost your family, or what do you do without it?\n"
                           "If you work in child care, what would fair pay change?"),
    },
    "flexible-schedules": {
        "call_script": (
            f"{_OPENING}\n\n"
            "I am calling to ask {title} {member} to support the right to ask for a flexible or predictable "
            "schedule without being punished for it.\n\nThank you."),
        "letter_prompts": "How does your work schedule fit, or clash with, your family's needs?",
    },
    "stop-caregiver-discrimination": {
        "call_script": (
            f"{_OPENING}\n\n"
            "I am calling to ask {title} {member} to protect workers from being passed over, paid less or "
            "let go because they are mothers or caregivers.\n\nThank you."),
        "letter_prompts": "Have you been treated differently at work because you are a parent or a caregiver?",
    },
}
