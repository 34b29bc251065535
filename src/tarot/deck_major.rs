//! The major arcana's names and meanings (text written for arcana), in card order 0–21.

use super::deck::Text;

/// The 22 major arcana: `(name, upright, reversed)`, indexed by card number.
pub(super) const MAJOR: [Text; 22] = [
    (
        "The Fool",
        "A fresh start calls; step forward with an open heart and let the road teach you as you go.",
        "Leaping without looking; slow down long enough to check where your feet will land.",
    ),
    (
        "The Magician",
        "You already hold the tools you need; focus your will and turn an idea into something real.",
        "Skills scattered or misused; watch for tricks, including the ones you play on yourself.",
    ),
    (
        "The High Priestess",
        "Quiet knowing runs deeper than facts here; listen to your intuition and let silence speak.",
        "Your inner voice is drowned out by noise; step away from other opinions and listen again.",
    ),
    (
        "The Empress",
        "Abundance grows from care; nurture yourself, your work and the people around you.",
        "Giving too much or too little care leaves things untended; tend your own garden first.",
    ),
    (
        "The Emperor",
        "Structure and steady leadership bring order; set clear rules and stand behind them.",
        "Control has turned rigid or slipped away; find the balance between firm and flexible.",
    ),
    (
        "The Hierophant",
        "Tradition and trusted teachers offer a path; there is wisdom in how it has been done.",
        "Old rules no longer fit; question the conventions that keep you small and write your own.",
    ),
    (
        "The Lovers",
        "A meaningful bond or a choice made from the heart; let what you do match what you value.",
        "Out of step with someone or with your own values; an honest talk can restore harmony.",
    ),
    (
        "The Chariot",
        "Willpower carries you forward; pull opposing forces in one direction and drive on.",
        "Pulled in too many directions, you stall; take back the reins before pushing ahead.",
    ),
    (
        "Strength",
        "Gentle courage wins the day; patience and compassion tame what force never could.",
        "Self-doubt saps your power; remember the quiet strength you have shown before.",
    ),
    (
        "The Hermit",
        "Time alone brings clarity; step back from the crowd and follow your own lantern.",
        "Solitude has tipped into isolation; let someone in, or come back from your retreat.",
    ),
    (
        "Wheel of Fortune",
        "Life turns and luck shifts in your favour; ride the change rather than resisting it.",
        "A downturn you cannot control; hold steady, because wheels keep turning.",
    ),
    (
        "Justice",
        "Fairness and truth prevail; weigh things honestly and accept what your choices bring.",
        "Something is out of balance or unfair; own your part and set the record straight.",
    ),
    (
        "The Hanged Man",
        "A pause offers a new angle; let go of the need to act and see things upside down a while.",
        "Stalling for its own sake; waiting has become avoidance, so make the decision.",
    ),
    (
        "Death",
        "An ending clears the way for something new; let the old chapter close with grace.",
        "Clinging to what is already over; resisting the change only prolongs the ache.",
    ),
    (
        "Temperance",
        "Balance and moderation heal; blend opposites patiently and let things find their measure.",
        "Excess or haste has tipped the scales; return to a gentler, steadier rhythm.",
    ),
    (
        "The Devil",
        "A habit, craving or bond holds you tighter than you admit; name the chain to loosen it.",
        "The chains are loosening; you are ready to break free of what has held you back.",
    ),
    (
        "The Tower",
        "A sudden shake-up topples what stood on weak ground; the truth it shows sets you free.",
        "Upheaval delayed or dodged; the crack is already there, so rebuild before it falls.",
    ),
    (
        "The Star",
        "Hope returns after hardship; trust in healing and let your light guide others too.",
        "Faith feels thin right now; small acts of kindness to yourself will rekindle your spark.",
    ),
    (
        "The Moon",
        "Things are not as they seem; move gently through uncertainty and trust your instincts.",
        "Confusion begins to lift; fears lose their hold as what was hidden comes into view.",
    ),
    (
        "The Sun",
        "Joy, warmth and success shine on you; celebrate openly and share the light.",
        "Doubt dims the sunshine; the good is still there, so look for it a little harder.",
    ),
    (
        "Judgement",
        "A wake-up call invites reflection; forgive the past and answer what calls you now.",
        "Harsh self-judgement keeps you stuck; be kind to yourself and listen for your calling.",
    ),
    (
        "The World",
        "A cycle completes and you feel whole; savour the achievement before the next journey.",
        "Almost there but not quite; tie up the loose ends to finish what you started.",
    ),
];
