"""Word banks for the seeded data set: names, schools, titles, agenda items, messages (plain ASCII, no quotes)."""

from __future__ import annotations

FIRST_NAMES = [
    "Maya", "Diego", "Jordan", "Ana", "Kai", "Priya", "Luis", "Tanya", "Marcus", "Sofia", "Noah", "Imani", "Elena",
    "Jamal", "Lucia", "Ethan", "Camila", "Omar", "Grace", "Mateo", "Aaliyah", "Daniel", "Isabel", "Tomas", "Leila",
    "Kevin", "Rosa", "Andre", "Mia", "Javier", "Hana", "Malik", "Valeria", "Samuel", "Amara", "Adrian", "Lena",
    "Bryan", "Nadia", "Carlos", "Zoe", "Angel", "Esme", "Ryan", "Yesenia", "Tyler", "Alma", "Dante", "Ruby", "Ivan",
]
LAST_NAMES = [
    "Chen", "Hernandez", "Blake", "Torres", "Nakamura", "Patel", "Ramirez", "Whitehorse", "Johnson", "Gutierrez",
    "Kim", "Brooks", "Nguyen", "Garcia", "Lopez", "Martinez", "Singh", "Washington", "Flores", "Rivera", "Tran",
    "Morales", "Jackson", "Reyes", "Ortiz", "Begay", "Castillo", "Lee", "Mendoza", "Vargas", "Okafor", "Cruz",
]
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", "ella", "el", None]
SCHOOL_KINDS = ["High School", "Union High School", "Community School", "Academy", "Early College High School"]
INTERESTS = [
    "mental health", "student voice", "climate", "college access", "restorative practices", "art", "music",
    "robotics", "family engagement", "belonging", "safety", "wellness", "coding", "agriculture", "poetry",
    "health services", "school climate", "native youth", "basketball", "soccer",
]
BIOS = [
    "I organise peer support circles at my school.", "Debate captain and trail runner.",
    "Quiero que las familias tengan voz en la escuela.", "Future nurse; ask me about school-based clinics.",
    "Coding club lead.", "Restorative justice circle keeper.", "Poet. Believer in student-led change.",
    "Building robots and better pathways.", "Me encanta la musica y aprender de mi comunidad.",
]

PROPOSAL_SUBJECTS = [
    "Peer support circles", "Free transit passes", "Student seats on site councils", "Mental health days",
    "Family nights in two languages", "Later school start times", "Restorative circles", "Healthy school meals",
    "Paid internships", "Wellness rooms", "Ethnic studies electives", "Safe routes to school", "Counselor hours",
    "Clean drinking water stations", "Career pathway fairs", "Youth participatory budgeting", "Quiet study spaces",
    "Native youth councils", "Bilingual tutoring", "Free period products", "School garden programs",
]
PROPOSAL_PLACES = [
    "in every high school", "for all students", "across our region", "at community schools",
    "in rural districts", "during advisory period", "before the Summit", "with local partners",
    "for newcomer students", "in every county",
]
PROPOSAL_SUMMARIES = [
    "Trained students lead weekly sessions with support from counselors.",
    "Schools partner with local agencies so cost is never the reason a student misses out.",
    "Each school keeps two seats for students elected by their classmates.",
    "Students help design the program and report on it every semester.",
    "A small pilot in three districts first, then a statewide plan.",
]
DESCRIPTION = (
    "**Why it matters.** Students in our region told us this is the change they want most.\n\n"
    "- What we ask for: a clear plan and a contact person at every school.\n"
    "- Who it helps: every student, first of all those who have the least support today.\n"
    "- How we will know it works: we survey students before and after.\n"
)

MEETING_TOPICS = [
    "Monthly board meeting", "Proposal workshop", "Regional check-in", "Summit planning listening session",
    "Mental health town hall", "Community schools forum", "Voting session", "Orientation for new members",
]
AGENDA_ITEMS = [
    ("Welcome and check-in circle", "discussion", 15), ("Updates from the advisors", "presentation", 10),
    ("Proposal presentations", "presentation", 25), ("Small group discussion", "discussion", 30),
    ("Break", "break", 10), ("Vote on the proposals of the month", "vote", 20),
    ("Regional reports", "presentation", 20), ("Open discussion", "discussion", 25),
    ("Choosing our Summit themes", "vote", 15), ("Closing circle", "discussion", 10),
    ("Guest speaker from the county office", "presentation", 20),
]
MINUTES = (
    "**Present:** {present} members and advisors.\n\n"
    "- We heard proposal presentations and asked questions.\n"
    "- Regional groups shared what they heard from their schools.\n"
    "- Next: finish the drafts and bring them to the next meeting."
)
ITEM_POLL_QUESTIONS = [
    "Which theme should lead this year's Summit?", "Which proposal should we present first?",
    "Where should the spring meeting take place?", "Which workshop should we add to the Summit?",
]
ITEM_POLL_OPTIONS = [
    "Mental health and wellness", "Student voice in decisions", "College, career and pathways",
    "School climate and belonging", "Family and community engagement", "Safety and restorative practices",
]

MESSAGE_SENTENCES = [
    "Hi everyone, excited for the next meeting.", "Does anyone have notes from last time?",
    "I can share what my school did about this.", "That is a *great* point, thank you.",
    "Our counselor said she would come to the session.", "Can we talk about this in small groups?",
    "I agree with the proposal but the timeline is short.", "Here is the draft: see `section 2` for the budget.",
    "Who wants to present with me?", "Hola a todos, gracias por la reunion.", "We should ask the district first.",
    "Students at my school really care about this.", "I will bring the survey results on Friday.",
    "The bus schedule makes it hard to stay after school.", "Let us vote on it next week.",
    "Please read the summary before the meeting.", "Great job on the presentation today!",
    "What does the county office think about it?", "Can someone explain the quorum rule again?",
    "I added two ideas to the shared list.",
]
ROOM_TOPICS = [
    ("Statewide lounge", "Say hi, share ideas and ask questions between meetings."),
    ("Summit ideas", "What should this year's Summit be about?"),
    ("Newcomers welcome", "Questions from new members, answered by everyone."),
]
SUMMIT_TRACKS = ["Plenary", "Wellness", "Student voice", "Pathways", "Belonging"]
SUMMIT_SESSION_TITLES = [
    "Opening: students lead", "Getting to school and back", "Student voice on site councils", "Healthy minds",
    "From idea to policy", "Pathways that pay", "Belonging at school", "Families as partners",
    "Closing: what we take home", "Regional breakouts",
]
DECISION_RESPONSES = {
    "adopted": "Adopted. This proposal opens a Summit session; the students who wrote it lead it.",
    "declined": "Declined for this Summit: the state budget rules leave no room this year. We explain why here.",
    "under_review": "Under review: we asked the Department of Education and will answer here before the Summit.",
    "merged": "Merged into a similar proposal so both groups present together.",
}
