//! Spanish wording («tú», neutral between Spain and Latin America: no «vosotros»).

use super::types::{AnswerWording, CardWording, Counted, SpreadWording, Spreads, SuitWording, SummaryWording, Wording};

/// Spanish.
pub(super) static ES: Wording = Wording {
    reversed: "al revés",
    spreads: Spreads {
        one: SpreadWording { name: "Una carta", positions: &["La carta"], framings: &["Lo que quiere decirte:"] },
        three: SpreadWording {
            name: "Tres cartas",
            positions: &["Pasado", "Presente", "Futuro"],
            framings: &["Lo que queda atrás:", "Dónde estás ahora:", "Hacia dónde va todo:"],
        },
        celtic_cross: SpreadWording {
            name: "Cruz Celta",
            positions: &[
                "El corazón del asunto",
                "Lo que se cruza",
                "Las raíces",
                "Lo que se aleja",
                "Lo que podría ser",
                "Lo que viene",
                "Tú",
                "Tu entorno",
                "Esperanzas y miedos",
                "El desenlace",
            ],
            framings: &[
                "En el centro de todo:",
                "Lo que se interpone en tu camino:",
                "Lo que hay en el fondo:",
                "Lo que ya va quedando atrás:",
                "Lo mejor que puede salir de esto:",
                "Lo que está por llegar:",
                "Cómo lo estás viviendo:",
                "Lo que aportan los demás:",
                "Lo que esperas, o lo que temes:",
                "Adónde lleva todo esto:",
            ],
        },
        love: SpreadWording {
            name: "Amor",
            positions: &["Tú", "La otra persona", "El vínculo", "Lo que ayuda", "Hacia dónde va"],
            framings: &[
                "Lo que tú aportas a la relación:",
                "Lo que aporta la otra persona:",
                "Lo que hay entre los dos:",
                "Lo que juega a favor:",
                "Hacia dónde se encamina la relación:",
            ],
        },
        career: SpreadWording {
            name: "Trabajo",
            positions: &["La situación", "Tus fortalezas", "El obstáculo", "El consejo", "El resultado"],
            framings: &[
                "Cómo están las cosas ahora:",
                "Con qué cuentas:",
                "Lo que te frena:",
                "Lo que te conviene hacer:",
                "Cómo puede terminar:",
            ],
        },
        decision: SpreadWording {
            name: "Decisión",
            positions: &[
                "El fondo de la decisión",
                "Camino A",
                "Adónde lleva A",
                "Camino B",
                "Adónde lleva B",
                "El consejo",
            ],
            framings: &[
                "De qué se trata en realidad:",
                "Si eliges el primer camino:",
                "Adónde te llevaría:",
                "Si eliges el segundo camino:",
                "Adónde te llevaría este otro:",
                "Lo que te ayudará a decidir:",
            ],
        },
        yes_no: SpreadWording { name: "Sí o no", positions: &["Tu carta"], framings: &["Lo que dice la carta:"] },
    },
    summary: SummaryWording {
        heading: "En conjunto",
        only_minors: "Aquí solo hay arcanos menores: se trata de asuntos cotidianos, y casi todo está en tus \
                      manos.",
        all_majors: "Todas las cartas son arcanos mayores: la vida está pasando página, y ahora pesan más las \
                     grandes lecciones que los detalles.",
        mostly_majors: Counted {
            one: "{n} de las {total} cartas es un arcano mayor: hay fuerzas grandes en juego, y esto tiene menos \
                  que ver con decisiones pequeñas que con un momento de cambio que estás atravesando.",
            few: "{n} de las {total} cartas son arcanos mayores: hay fuerzas grandes en juego, y esto tiene menos \
                  que ver con decisiones pequeñas que con un momento de cambio que estás atravesando.",
            many: "{n} de las {total} cartas son arcanos mayores: hay fuerzas grandes en juego, y esto tiene \
                   menos que ver con decisiones pequeñas que con un momento de cambio que estás atravesando.",
            other: "{n} de las {total} cartas son arcanos mayores: hay fuerzas grandes en juego, y esto tiene \
                    menos que ver con decisiones pequeñas que con un momento de cambio que estás atravesando.",
        },
        some_majors: Counted {
            one: "Un arcano mayor entre los menores: marca el tema que más importa, y el resto son detalles \
                  cotidianos que puedes moldear.",
            few: "{n} arcanos mayores entre los menores: marcan los temas que más importan, y el resto son \
                  detalles cotidianos que puedes moldear.",
            many: "{n} de arcanos mayores entre los menores: marcan los temas que más importan, y el resto son \
                   detalles cotidianos que puedes moldear.",
            other: "{n} arcanos mayores entre los menores: marcan los temas que más importan, y el resto son \
                    detalles cotidianos que puedes moldear.",
        },
        single_major: "Un arcano mayor: toca algo más grande que el día a día, una lección o un punto de \
                       inflexión.",
        suits: [
            SuitWording {
                suit_of: "palo de Bastos",
                dominant: "Predominan los Bastos, el palo del fuego: la energía, la ambición y las ganas de actuar \
                           marcan el ritmo, así que el impulso está de tu lado si sabes dirigirlo.",
                single: "Una carta de Bastos, el palo del fuego: habla de energía, de empuje y de lo que quieres \
                         poner en marcha.",
            },
            SuitWording {
                suit_of: "palo de Copas",
                dominant: "Predominan las Copas, el palo del agua: los sentimientos y las relaciones ocupan el \
                           centro, así que escucha lo que te dice el corazón.",
                single: "Una carta de Copas, el palo del agua: habla de sentimientos y de las personas cercanas \
                         a ti.",
            },
            SuitWording {
                suit_of: "palo de Espadas",
                dominant: "Predominan las Espadas, el palo del aire: pesan los pensamientos, las palabras y las \
                           tensiones, así que lo que más te ayudará es la cabeza fría y una conversación sincera.",
                single: "Una carta de Espadas, el palo del aire: habla de pensamientos, palabras y decisiones, y a \
                         veces de un conflicto.",
            },
            SuitWording {
                suit_of: "palo de Oros",
                dominant: "Predominan los Oros, el palo de la tierra: el dinero, el trabajo, la salud y los pasos \
                           prácticos deciden cómo se desarrolla todo.",
                single: "Una carta de Oros, el palo de la tierra: habla de dinero, trabajo, cuerpo y asuntos \
                         prácticos.",
            },
        ],
        none_reversed: "Todas las cartas salieron al derecho: la energía fluye con libertad y nada está bloqueado \
                        de verdad.",
        some_reversed: Counted {
            one: "Una carta salió al revés: ahí hay algo que se frena, se retrasa o se vuelve hacia dentro, así \
                  que préstale especial atención.",
            few: "{n} cartas salieron al revés: ahí hay cosas que se frenan, se retrasan o se vuelven hacia \
                  dentro, así que préstales especial atención.",
            many: "{n} de cartas salieron al revés: ahí hay cosas que se frenan, se retrasan o se vuelven hacia \
                   dentro, así que préstales especial atención.",
            other: "{n} cartas salieron al revés: ahí hay cosas que se frenan, se retrasan o se vuelven hacia \
                    dentro, así que préstales especial atención.",
        },
        mostly_reversed: Counted {
            one: "{n} de las {total} cartas salió al revés: mucho está bloqueado o todavía madurando dentro de ti, \
                  así que trabaja en lo que te frena antes de lanzarte.",
            few: "{n} de las {total} cartas salieron al revés: mucho está bloqueado o todavía madurando dentro de \
                  ti, así que trabaja en lo que te frena antes de lanzarte.",
            many: "{n} de las {total} cartas salieron al revés: mucho está bloqueado o todavía madurando dentro \
                   de ti, así que trabaja en lo que te frena antes de lanzarte.",
            other: "{n} de las {total} cartas salieron al revés: mucho está bloqueado o todavía madurando dentro \
                    de ti, así que trabaja en lo que te frena antes de lanzarte.",
        },
        single_upright: "Salió al derecho: su mensaje es directo y su energía actúa con libertad.",
        single_reversed: "Salió al revés: su energía está bloqueada, retrasada o vuelta hacia dentro, así que \
                          empieza por ver qué la frena.",
    },
    answer: AnswerWording {
        heading: "Respuesta",
        yes: "sí",
        no: "no",
        maybe: "quizás",
        yes_upright: "La carta se inclina por el sí: el camino está abierto, así que adelante con confianza.",
        yes_reversed: "Es una carta de sí, pero salió al revés: puede salir bien cuando resuelvas lo que se \
                       interpone. Por ahora, la respuesta es quizás.",
        maybe_upright: "Esta carta no zanja la pregunta: el resultado aún depende de las circunstancias o de tu \
                        próximo paso. Vuelve a preguntar cuando algo se mueva.",
        maybe_reversed: "Una carta incierta, y además al revés: por ahora, más bien no. Espera a que el panorama \
                         se aclare.",
        no_upright: "La carta se inclina por el no: no por este camino, o no ahora. Fíjate en lo que te propone \
                     a cambio.",
        no_reversed: "Una carta de no, y al revés: la respuesta sigue siendo no, aunque lo más difícil quizá ya \
                      esté pasando.",
    },
    card: CardWording {
        major: "Arcano mayor, número {n}",
        minor: "Arcano menor, {suit}",
        element: "Elemento: {element}",
        elements: ["fuego", "agua", "aire", "tierra"],
        upright: "Al derecho",
        reversed: "Al revés",
        yes_no: "¿Sí o no? Al derecho, {up}; al revés, {rev}.",
    },
};
