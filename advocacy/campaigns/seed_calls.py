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

# For Spanish readers, written afresh rather than word for word. `{title}` becomes the office in Spanish
# ("representante en la Cámara", "integrante del Senado"), so it stands after the name, between commas.
_APERTURA = "Hola, me llamo ___. Vivo en ___, código postal ___, en la zona que representa {member}, {title}."

SEED_CALLS_ES: dict[str, dict[str, str]] = {
    "paid-family-leave": {
        "call_script": (
            f"{_APERTURA}\n\n"
            "Llamo para pedirle a {member} que apoye una ley nacional de licencia pagada por familia y por "
            "enfermedad para toda persona que trabaja: enfermeras, maestras, recepcionistas, trabajadores de "
            "servicios.\n\n"
            "Cuando nace un bebé o se enferma un padre, nadie debería perder su cheque por cuidarlos. Gracias."),
        "letter_prompts": ("¿Qué pasó cuando usted o alguien de su familia necesitó faltar al trabajo por un "
                           "nacimiento o una enfermedad?\n¿Qué cambiaría en su familia con una licencia pagada?"),
    },
    "raise-minimum-wage": {
        "call_script": (
            f"{_APERTURA}\n\n"
            "Llamo para pedirle a {member} que suba el salario mínimo federal. Quien trabaja a tiempo completo "
            "no debería vivir en la pobreza con sus hijos.\n\n"
            "Gracias por pasar mi mensaje."),
        "letter_prompts": ("¿Cómo llega a fin de mes con lo que gana?\n"
                           "¿Qué podría hacer su familia con un sueldo más alto?"),
    },
    "affordable-child-care": {
        "call_script": (
            f"{_APERTURA}\n\n"
            "Llamo para pedirle a {member} que haga el cuidado infantil accesible para las familias que "
            "trabajan, y que quienes cuidan a los niños reciban un sueldo justo.\n\n"
            "Sin cuidado infantil no podemos ir a trabajar, y quienes lo dan merecen vivir de su trabajo. "
            "Gracias."),
        "letter_prompts": ("¿Cuánto le cuesta a su familia el cuidado de los niños, o cómo se arregla sin él?\n"
                           "Si usted cuida niños como trabajo, ¿qué cambiaría un sueldo justo?"),
    },
    "flexible-schedules": {
        "call_script": (
            f"{_APERTURA}\n\n"
            "Llamo para pedirle a {member} que apoye el derecho a pedir un horario flexible o fijo con "
            "anticipación, sin castigo por pedirlo.\n\nGracias."),
        "letter_prompts": "¿Su horario de trabajo le deja atender a su familia, o choca con lo que necesita?",
    },
    "stop-caregiver-discrimination": {
        "call_script": (
            f"{_APERTURA}\n\n"
            "Llamo para pedirle a {member} que proteja a quienes trabajan de que los dejen de lado, les paguen "
            "menos o los despidan por ser madres o por cuidar a alguien de su familia.\n\nGracias."),
        "letter_prompts": ("¿Alguna vez recibió un trato distinto en el trabajo por ser madre o padre, o por cuidar a "
                           "alguien de su familia?"),
    },
}
