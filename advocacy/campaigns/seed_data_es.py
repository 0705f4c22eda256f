"""Spanish versions of the seed campaigns, by slug.

Written for Spanish readers in the United States, in our own words and in short sentences: not a
word-for-word copy of the English. Same keys as a translation row: title, ask, summary, background.
"""

SEED_CAMPAIGNS_ES: dict[str, dict[str, str]] = {
    "paid-family-leave": {
        "title": "Licencia pagada por familia y salud para quien trabaja",
        "ask": (
            "Aprueben una ley nacional de licencia pagada por familia y por "
            "enfermedad, con tiempo libre pagado como en los demás países ricos."
        ),
        "summary": (
            "Nadie debería elegir entre su cheque y su familia cuando nace un "
            "bebé o un ser querido se enferma."
        ),
        "background": (
            "Cuando llega un bebé o alguien de la familia se enferma, hace falta "
            "tiempo. Casi todos los países ricos pagan ese tiempo. Estados Unidos "
            "no. La ley federal da a algunos trabajadores días libres sin sueldo, "
            "y muchas familias no pueden vivir sin cobrar.\n"
            "\n"
            "Por eso muchas mamás y papás vuelven al trabajo demasiado pronto. Se "
            "pierden las primeras semanas con su recién nacido. Dejan a un niño "
            "enfermo con quien pueda cuidarlo, o se quedan en casa y pierden el "
            "pago del día. Una fiebre o una hospitalización no avisan.\n"
            "\n"
            "Quienes más lo sufren son las personas de las que todos dependemos: "
            "**enfermeras, maestras, recepcionistas y trabajadores de servicios**. "
            "Su trabajo no se hace desde una computadora en casa. Si necesitan "
            "faltar, lo pagan con su sueldo o con su empleo.\n"
            "\n"
            "La licencia pagada no es solo para las mamás. También la necesitan "
            "los papás, las parejas del mismo sexo y los hijos que cuidan a sus "
            "padres mayores. Casi todos vamos a cuidar a alguien algún día.\n"
            "\n"
            "Pedimos al Congreso una ley nacional de licencia pagada que cubra a "
            "toda persona que trabaja, en cualquier empleo, con el tiempo que ya "
            "dan otros países como el nuestro."
        ),
    },
    "raise-minimum-wage": {
        "title": "Un salario mínimo que alcance para vivir",
        "ask": (
            "Suban el salario mínimo federal para que un trabajo de tiempo "
            "completo alcance para la renta, la comida y el cuidado de la familia."
        ),
        "summary": (
            "Quien trabaja tiempo completo no debería pasar apuros para cubrir lo "
            "básico. Necesitamos un salario mínimo al día con lo que cuesta vivir."
        ),
        "background": (
            "El salario mínimo federal es de $7.25 la hora y no sube desde 2009. "
            "Desde entonces la renta, la comida y el cuidado infantil cuestan más "
            "cada año.\n"
            "\n"
            "La mayoría de las mamás que trabajan no buscan un puesto de jefa. "
            "Quieren un cheque que cubra las cuentas. Cumplen su jornada y luego "
            "empieza el segundo turno, el de la casa. Ser mamá o papá no termina "
            "a las cinco.\n"
            "\n"
            "Los sueldos bajos pesan en los trabajos que mantienen en pie a "
            "nuestras comunidades:\n"
            "\n"
            "- asistentes de salud en el hogar y auxiliares de enfermería\n"
            "- cuidadoras de niños y personal de las escuelas\n"
            "- cajeras, cocineros y meseros\n"
            "- recepcionistas y personal de oficina\n"
            "\n"
            "Con un sueldo tan bajo, muchos toman un segundo empleo o turnos "
            "extra. Eso es menos tiempo con los hijos y menos horas de sueño, y "
            "no poder decir que no a un turno aunque un hijo los necesite.\n"
            "\n"
            "Un salario más alto da un respiro a toda la familia y también a los "
            "negocios del barrio, donde se gasta ese dinero. Pedimos al Congreso "
            "que suba el salario mínimo federal y que siga subiendo con los precios."
        ),
    },
    "affordable-child-care": {
        "title": "Cuidado infantil al alcance de todos, con sueldos justos",
        "ask": (
            "Financien un cuidado infantil de calidad que toda familia pueda "
            "pagar, y un sueldo digno para quienes lo dan."
        ),
        "summary": (
            "El cuidado infantil les cuesta demasiado a las familias, y a quienes "
            "cuidan a los niños se les paga muy poco. Podemos arreglar las dos cosas."
        ),
        "background": (
            "Para muchas familias, la guardería es uno de los gastos más grandes "
            "del mes: a veces tanto como la renta. Si no encuentran cuidado o no "
            "pueden pagarlo, reducen sus horas o dejan el trabajo. Casi siempre "
            "es la mamá quien da el paso atrás.\n"
            "\n"
            "Al mismo tiempo, las personas que cuidan a nuestros hijos están entre "
            "las peor pagadas del país. Dan de comer a los bebés, enseñan a los "
            "pequeños a compartir y los cuidan todo el día. Muchas también son "
            "mamás, y algunas no pueden pagar el cuidado de sus propios hijos.\n"
            "\n"
            "Así no funciona. Cuidar niños es un trabajo de verdad y merece un "
            "pago de verdad. Cuando ganan tan poco, las cuidadoras se van. Los "
            "centros cierran o reducen lugares, las listas de espera crecen y las "
            "familias se quedan con menos opciones.\n"
            "\n"
            "Queremos que:\n"
            "\n"
            "- toda familia encuentre un cuidado que pueda pagar\n"
            "- las cuidadoras ganen un sueldo justo, con beneficios\n"
            "- los centros tengan el personal que necesitan para seguir abiertos\n"
            "\n"
            "Un buen cuidado infantil ayuda a los niños a crecer, a los padres a "
            "trabajar y a la economía de todos. Pedimos al Congreso que invierta "
            "en el cuidado infantil, pensando en las familias y en quienes cuidan."
        ),
    },
    "flexible-schedules": {
        "title": "Horarios justos y flexibles, y guardería en el trabajo",
        "ask": (
            "Aprueben una ley que dé horarios previsibles, el derecho a pedir "
            "horas flexibles y ayuda con el cuidado infantil en el trabajo o cerca."
        ),
        "summary": (
            "Quien cría hijos necesita saber cuándo trabaja, un margen cuando un "
            "niño se enferma y un lugar seguro para sus hijos cerca del trabajo."
        ),
        "background": (
            "Los niños se enferman sin avisar. La escuela llama a media jornada. "
            "La entrega más importante cae la misma semana que la obra de teatro "
            "escolar. Nadie logra un equilibrio perfecto entre el trabajo y la "
            "casa, pero unas reglas mejores pueden hacerlo menos duro.\n"
            "\n"
            "Muchos trabajadores por hora reciben su horario con pocos días de "
            "anticipación, y los turnos cambian a última hora. Así es casi "
            "imposible organizar quién cuida a los niños. Si no pueden cubrir un "
            "turno de repente, pierden el pago del día o hasta el empleo.\n"
            "\n"
            "Se habla de trabajo flexible como si fuera trabajar desde casa. Pero "
            "una enfermera no atiende pacientes desde su cocina, ni una maestra da "
            "clase desde el sofá. Recepcionistas y dependientas tienen que estar "
            "ahí. Para ellas, la flexibilidad es:\n"
            "\n"
            "- conocer el horario con tiempo\n"
            "- un pago justo cuando cambian o recortan un turno a última hora\n"
            "- el derecho a pedir otro horario sin castigo\n"
            "- una guardería en el trabajo o cerca de él\n"
            "\n"
            "Con una guardería en el lugar de trabajo, se deja a los niños al "
            "llegar y se los puede ver a la hora del almuerzo. Hay menos viajes y "
            "menos estrés, y las empresas conservan a su buena gente.\n"
            "\n"
            "Pedimos al Congreso reglas justas para los horarios y apoyo a los "
            "empleadores que ofrezcan cuidado infantil donde trabaja su gente."
        ),
    },
    "stop-caregiver-discrimination": {
        "title": "Alto a la discriminación contra las mamás que trabajan",
        "ask": (
            "Refuercen la ley federal para proteger a las madres trabajadoras y "
            "a toda persona cuidadora de la discriminación al contratar, pagar y "
            "ascender, y que sea más fácil probarla."
        ),
        "summary": (
            "Ser mamá o cuidar de alguien nunca debería costarte un empleo, un "
            "aumento o un ascenso. La ley tiene que proteger de verdad."
        ),
        "background": (
            "A demasiadas mamás las dejan de lado, les pagan menos o las empujan "
            "a irse por tener hijos. A algunas les retiran una oferta de trabajo "
            "cuando el jefe sabe que están embarazadas. A otras les bajan las "
            "horas al volver de su licencia. Este prejuicio lo tienen tanto "
            "hombres como mujeres.\n"
            "\n"
            "También lo sufren los papás y otras personas que cuidan. Si un papá "
            "sale temprano para una junta en la escuela, lo llaman buen padre; si "
            "lo hace una mamá, dicen que no se toma en serio su trabajo. Ambos "
            "merecen un trato justo, igual que quien cuida a una pareja enferma o "
            "a sus padres mayores.\n"
            "\n"
            "La ley ya protege algo, pero es difícil usarla. Muchas veces hay que "
            "probar con claridad que el trato injusto fue por la familia, y esas "
            "decisiones se toman en privado: casi nunca se ve el correo o se oye "
            "la conversación que costó el empleo. Quien menos poder tiene lo sufre "
            "más. Una enfermera, una maestra, una recepcionista o una cajera a "
            "menudo no puede protestar sin arriesgar su sueldo.\n"
            "\n"
            "Toda persona que cría o cuida merece una oportunidad justa en el "
            "trabajo. Pedimos al Congreso que:\n"
            "\n"
            "- proteja claramente a quienes cuidan en la ley federal\n"
            "- facilite presentar y probar una denuncia\n"
            "- proteja de represalias a quien alza la voz"
        ),
    },
}
