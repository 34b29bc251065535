//! The minor arcana's names and meanings (text written for arcana), one table per suit in rank
//! order: Ace, Two … Ten, Page, Knight, Queen, King.

use super::deck::Text;

/// Wands: energy, creativity, drive.
pub(super) const WANDS: [Text; 14] = [
    (
        "Ace of Wands",
        "A spark of inspiration or a new passion; seize the energy while it burns bright.",
        "The spark is there but will not catch; delays or doubts dampen a new venture.",
    ),
    (
        "Two of Wands",
        "Planning your next bold move; the world is bigger than the place you stand now.",
        "Fear of the unknown keeps you close to home, and your plans stay on paper.",
    ),
    (
        "Three of Wands",
        "Your efforts begin to pay off; look to the horizon, because growth is on its way.",
        "Setbacks in what you sent out into the world; be patient with what is still travelling.",
    ),
    (
        "Four of Wands",
        "Celebration and a sense of home; enjoy a milestone with the people you love.",
        "Tension at home or a party that falls flat; look for what truly makes you feel welcome.",
    ),
    (
        "Five of Wands",
        "Competition and clashing ideas; friction can sharpen you if you keep it playful.",
        "Dodging conflict or worn out by the fight; look for the ground you share.",
    ),
    (
        "Six of Wands",
        "Recognition and victory; your hard work is seen and celebrated.",
        "Fearing failure or waiting for applause; your worth does not depend on praise.",
    ),
    (
        "Seven of Wands",
        "Standing your ground under pressure; defend what you believe in.",
        "Overwhelmed by challenges on every side; choose which battles are worth fighting.",
    ),
    (
        "Eight of Wands",
        "Things move fast; news arrives and momentum carries you forward.",
        "Delays and frustration; slow down and wait for the right moment to act.",
    ),
    (
        "Nine of Wands",
        "Worn but still standing; one last resilient push will see you through.",
        "Exhaustion and defensiveness; it is fine to rest and to ask for help.",
    ),
    (
        "Ten of Wands",
        "Carrying too much; success has brought its burdens, so share the load.",
        "Setting down what was never yours to carry; relief comes from letting go.",
    ),
    (
        "Page of Wands",
        "Curious enthusiasm and a free spirit; explore a new idea without overthinking it.",
        "Restless energy without direction; ideas start but never quite take off.",
    ),
    (
        "Knight of Wands",
        "Bold action and adventure; charge ahead with passion and confidence.",
        "Haste and recklessness; fiery energy burns out when nothing guides it.",
    ),
    (
        "Queen of Wands",
        "Warm confidence and magnetism; you shine brightest when you show up as yourself.",
        "Self-doubt or jealousy dims your glow; reconnect with what makes you bold.",
    ),
    (
        "King of Wands",
        "A visionary leader; inspire others with a clear goal and the drive to reach it.",
        "Impulsive or overbearing; leadership turns into control when patience runs out.",
    ),
];

/// Cups: feelings, relationships, intuition.
pub(super) const CUPS: [Text; 14] = [
    (
        "Ace of Cups",
        "A new feeling overflows; open your heart to love, kindness or creative joy.",
        "Emotions bottled up; let yourself feel before you pour yourself out for others.",
    ),
    (
        "Two of Cups",
        "A meeting of hearts; mutual respect and affection bring two people together.",
        "A bond out of balance; honest words can mend a misunderstanding.",
    ),
    (
        "Three of Cups",
        "Friendship and celebration; gather with the people who lift you up.",
        "Too much partying or a rift in the group; make room for quieter connection.",
    ),
    (
        "Four of Cups",
        "Apathy or boredom; an offer may be right in front of you if you look up.",
        "Coming out of a slump; you are ready to say yes to something again.",
    ),
    (
        "Five of Cups",
        "Grieving what was lost; remember that not everything has spilled.",
        "Acceptance and moving on; you are finding what still remains for you.",
    ),
    (
        "Six of Cups",
        "Sweet memories and innocence; a kindness from the past warms the present.",
        "Living in the past; nostalgia can hide what is growing now.",
    ),
    (
        "Seven of Cups",
        "Many choices and daydreams; not every shining option is real, so choose with care.",
        "Clarity arrives; illusions fade and you see what you actually want.",
    ),
    (
        "Eight of Cups",
        "Walking away from what no longer fulfils you, even if it looks fine on the surface.",
        "Afraid to leave, or drifting without aim; decide whether to stay or go.",
    ),
    (
        "Nine of Cups",
        "Contentment and a wish come true; enjoy the good things you have.",
        "Satisfaction that stays shallow; ask whether what you wanted still fits you.",
    ),
    (
        "Ten of Cups",
        "Harmony at home and lasting happiness; love that feels like belonging.",
        "Family tension or broken ideals; real closeness needs honesty, not a perfect picture.",
    ),
    (
        "Page of Cups",
        "A tender message or a creative surprise; let your playful, intuitive side speak.",
        "Feelings run young or a creative spark is blocked; be gentle with your heart.",
    ),
    (
        "Knight of Cups",
        "A romantic offer, or an invitation to follow your heart with grace.",
        "Moody or unrealistic; charm without follow-through leaves others let down.",
    ),
    (
        "Queen of Cups",
        "Compassion and emotional depth; care for others while keeping your own cup full.",
        "Drained by other people's feelings; set boundaries so your care stays healthy.",
    ),
    (
        "King of Cups",
        "Calm emotional wisdom; stay steady and kind even when the waters are rough.",
        "Feelings kept under too tight a lid, or spilling over; find a middle path.",
    ),
];

/// Swords: thought, truth, conflict.
pub(super) const SWORDS: [Text; 14] = [
    (
        "Ace of Swords",
        "A breakthrough of clarity; the truth cuts through confusion, so speak it plainly.",
        "Muddled thinking or harsh words; pause before your tongue does the cutting.",
    ),
    (
        "Two of Swords",
        "A stalemate or a hard choice put off; take off the blindfold and weigh the options.",
        "Too much information and no decision; trust yourself enough to choose.",
    ),
    (
        "Three of Swords",
        "Heartache and painful truth; let yourself grieve so the wound can heal.",
        "Slowly recovering from hurt; forgiveness helps you release the pain.",
    ),
    (
        "Four of Swords",
        "Rest and recovery; step back and let your mind be still for a while.",
        "Restlessness or burnout; you cannot skip the rest you need.",
    ),
    (
        "Five of Swords",
        "A win that costs too much; ask whether being right is worth the rift.",
        "Ready to make peace; let old grudges go and move on.",
    ),
    (
        "Six of Swords",
        "Moving away from trouble toward calmer waters; the passage itself helps you heal.",
        "Stuck in unfinished business; old baggage slows the journey.",
    ),
    (
        "Seven of Swords",
        "Strategy or secrecy; someone may not be playing fair, perhaps even you.",
        "Coming clean; a secret surfaces, or you choose honesty over cunning.",
    ),
    (
        "Eight of Swords",
        "Trapped by your own thoughts; the bindings are looser than they seem.",
        "Freeing yourself; you are finding new ways to see a way out.",
    ),
    (
        "Nine of Swords",
        "Worry and sleepless nights; the fears in your head are bigger than the facts.",
        "Anxiety begins to ease; reach out and share what keeps you awake.",
    ),
    (
        "Ten of Swords",
        "A painful ending that has hit bottom; from here the only way is up.",
        "Recovery begins; you survived the worst, and healing is under way.",
    ),
    (
        "Page of Swords",
        "Curious and sharp-witted; ask questions, gather facts and speak your mind.",
        "All talk and no plan; gossip or hasty words can stir up trouble.",
    ),
    (
        "Knight of Swords",
        "Driven and direct; charge toward your goal with clear, fast thinking.",
        "Rushing in without thinking; words fly faster than wisdom.",
    ),
    (
        "Queen of Swords",
        "Clear-eyed honesty; set firm boundaries and see people as they are.",
        "Coldness or bitterness; sharp judgement without compassion wounds.",
    ),
    (
        "King of Swords",
        "Authority of the mind and fairness; lead with reason, truth and integrity.",
        "Cleverness used to manipulate; logic without ethics turns cruel.",
    ),
];

/// Pentacles: work, money, body, the material world.
pub(super) const PENTACLES: [Text; 14] = [
    (
        "Ace of Pentacles",
        "A new chance to prosper; plant a seed in your work, money or health.",
        "A missed chance or a shaky plan; check the ground before you invest.",
    ),
    (
        "Two of Pentacles",
        "Juggling priorities with grace; stay flexible and keep things in motion.",
        "Overcommitted and dropping balls; simplify before something falls.",
    ),
    (
        "Three of Pentacles",
        "Teamwork and skill; working together builds something stronger than you could alone.",
        "Poor teamwork or half-hearted effort; get the group aligned before building more.",
    ),
    (
        "Four of Pentacles",
        "Holding on for security; saving is wise, but do not grip too tightly.",
        "Loosening your grip, or spending carelessly; find a healthy flow with money.",
    ),
    (
        "Five of Pentacles",
        "Hard times, or feeling left out in the cold; help is closer than it seems.",
        "Recovering from loss; the worst is passing and doors are opening again.",
    ),
    (
        "Six of Pentacles",
        "Generosity and fair exchange; give and receive with an open hand.",
        "Strings attached to giving; watch for debts or lopsided favours.",
    ),
    (
        "Seven of Pentacles",
        "Patience with slow growth; step back and take stock of your long-term investment.",
        "Impatient for results; effort without direction wastes the harvest.",
    ),
    (
        "Eight of Pentacles",
        "Dedication and mastery; steady practice turns work into craft.",
        "Perfectionism or going through the motions; reconnect with why you work.",
    ),
    (
        "Nine of Pentacles",
        "Independence and well-earned comfort; enjoy the rewards of your discipline.",
        "Overworking, or leaning on others for security; find your own footing.",
    ),
    (
        "Ten of Pentacles",
        "Lasting wealth and a family legacy; what you build now will support others.",
        "Quarrels over money or a shaky foundation; secure the basics first.",
    ),
    (
        "Page of Pentacles",
        "A student's eagerness; a practical new plan or skill is worth learning.",
        "Procrastination or scattered focus; dreams need steady steps.",
    ),
    (
        "Knight of Pentacles",
        "Reliable and methodical; slow, steady work wins the long race.",
        "Stuck in a rut of routine; step out of it and take one small risk.",
    ),
    (
        "Queen of Pentacles",
        "Nurturing and practical; create comfort and security for yourself and others.",
        "Neglecting yourself while caring for everyone else; balance work and home.",
    ),
    (
        "King of Pentacles",
        "Abundance and steady success; a generous provider who builds wisely.",
        "Greed or stubbornness; wealth without warmth feels empty.",
    ),
];
