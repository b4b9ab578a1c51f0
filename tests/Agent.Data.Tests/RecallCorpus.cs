using Agent.Domain.Memory;

namespace Agent.Data.Tests;

/// <summary>
/// A seeded corpus for recall quality: topics of five items each (archival facts, episodes, attachment summaries and
/// messages mixed), a question per topic worded differently from its items, and questions about things never discussed.
/// </summary>
internal static class RecallCorpus
{
    public sealed record Topic(string Question, string[] Items);

    public static readonly Topic[] Topics =
    [
        new("Which database engine do we use for the agent's storage?", [
            "The agent stores everything in a SQLite database file under data/agent.db.",
            "We chose SQLite with WAL journaling so readers never block the streaming writer.",
            "Episode: discussed moving the storage to PostgreSQL later; SQLite database stays the embedded default.",
            "Attachment schema.pdf: the database tables for sessions, messages and memory items.",
            "Migrations of the SQLite database run at start-up through EF Core.",
        ]),
        new("When is my sister's birthday party?", [
            "Anna's sister Clara has her birthday on 14 March.",
            "The birthday party for Clara is planned at the lake house.",
            "Episode: planned a gift for the sister's birthday, a watercolour set.",
            "Clara prefers chocolate cake at her birthday party.",
            "Invitations for the party go out two weeks before the birthday.",
        ]),
        new("What did the doctor say about my knee injury?", [
            "The doctor said the knee injury is a strained ligament, not a tear.",
            "Physiotherapy for the knee twice a week for six weeks.",
            "Episode: knee pain after running; the doctor advised rest and ice.",
            "Attachment mri-report.pdf: MRI of the left knee shows a ligament strain.",
            "No running until the knee injury heals; cycling is fine.",
        ]),
        new("Which programming language is the backend written in?", [
            "The backend is written in C# on .NET 10.",
            "Blazor Server renders the UI; the backend language is C#.",
            "Episode: compared Rust and C# for the backend; kept C#.",
            "The backend uses Microsoft.Extensions.AI for the language model clients.",
            "Coding style for the C# backend: sealed records and nullable on.",
        ]),
        new("How much is the monthly rent for the apartment?", [
            "The apartment rent is 1,450 euros per month.",
            "Rent for the apartment is paid on the first of every month.",
            "Episode: negotiated the apartment rent down by 50 euros.",
            "Attachment lease.pdf: rental contract for the apartment, monthly rent and deposit.",
            "The landlord raises the rent by at most 3 percent per year.",
        ]),
        new("What is the name of our cat and what does she eat?", [
            "Our cat is called Miso; she is a grey tabby.",
            "Miso the cat eats wet salmon food twice a day.",
            "Episode: took the cat Miso to the vet for vaccinations.",
            "The cat food brand Miso likes is out of stock at the corner shop.",
            "Miso sleeps on the radiator; the cat hates the vacuum cleaner.",
        ]),
        new("Which flight do I take to Lisbon for the conference?", [
            "Flight TP 573 to Lisbon leaves at 07:40 on 9 December.",
            "The conference in Lisbon runs from 10 to 12 December.",
            "Episode: booked the Lisbon flight and a hotel near the conference venue.",
            "Attachment boarding-pass.pdf: flight to Lisbon, seat 14C.",
            "Return flight from Lisbon on 13 December in the evening.",
        ]),
        new("What are the quarterly sales figures for the bakery?", [
            "The bakery's sales in the third quarter were 84,000 euros.",
            "Quarterly sales of sourdough bread grew 12 percent at the bakery.",
            "Episode: reviewed the bakery sales figures with the accountant.",
            "Attachment q3-sales.csv: bakery sales per product per quarter.",
            "The bakery plans to raise prices if fourth quarter sales stay flat.",
        ]),
        new("Which houseplants need watering this week?", [
            "The monstera houseplant needs watering every seven days.",
            "Water the fern twice a week; the houseplants in the kitchen dry out fast.",
            "Episode: repotted two houseplants and made a watering schedule.",
            "Succulents need watering only every three weeks.",
            "The orchid gets watering with an ice cube each week.",
        ]),
        new("What is the wifi password at the office?", [
            "The office wifi network is called Lighthouse-5G.",
            "The office wifi password is kept in the shared password manager, entry 'office wifi'.",
            "Episode: the office wifi password changed after the router was replaced.",
            "Guests use the separate office guest wifi without a password.",
            "IT resets the office wifi password every quarter.",
        ]),
        new("Which guitar chords do I practise for the song?", [
            "Practise the guitar chords G, C, D and E minor for the song.",
            "The barre chord F is the hardest chord on the guitar for now.",
            "Episode: guitar lesson about chord changes and strumming.",
            "The song uses a capo on the second fret of the guitar.",
            "Chords practise plan: ten minutes of guitar chord changes daily.",
        ]),
        new("What does the tax return need this year?", [
            "The tax return is due on 31 July this year.",
            "For the tax return, collect the receipts for the home office.",
            "Episode: started the tax return; missing the bank interest statement.",
            "Attachment tax-2025.pdf: last year's tax return as filed.",
            "The accountant charges 300 euros to check the tax return.",
        ]),
    ];

    /// <summary>Questions about things the corpus never mentions: recall must inject nothing.</summary>
    public static readonly string[] Unrelated =
    [
        "What is the capital city of Mongolia?",
        "How do volcanoes erupt?",
        "Who painted the Sistine Chapel ceiling?",
        "Recommend a good hiking trail in Patagonia.",
        "Explain quantum entanglement simply.",
        "What time is it in Tokyo?",
    ];

    /// <summary>
    /// A question with memories judged related to it and hard negatives: memories of other subjects that share its common
    /// words ("time", "make", "use", "project", "next", a first name). A question with no related memories is one recall
    /// must answer with nothing. A memory written "Me: ..." is something the person said (a message), "Episode: ..." a
    /// daily episode, "Attachment ..." an attachment summary, anything else an archival fact. The same text under two
    /// questions is one memory.
    /// </summary>
    public sealed record Judged(string Question, string[] Related, string[] Unrelated);

    public static readonly Judged[] Judgements =
    [
        // Hard negatives for the topics above (their five items are the related ones).
        new("Which database engine do we use for the agent's storage?", [], [
            "We use 1Password for shared logins at home.",
            "Episode: signed the new lease for the storage unit in the basement.",
            "The estate agent sends the viewing dates by email.",
            "Me: the car engine makes a rattling noise when it is cold",
        ]),
        new("When is my sister's birthday party?", [], [
            "Me: how many people are coming to the party on Saturday?",
            "Budget for Tom's birthday present: about 150 euros.",
            "Tom's sister works as a nurse at the city hospital.",
        ]),
        new("What did the doctor say about my knee injury?", [], [
            "The doctor's office is closed between Christmas and New Year.",
            "Leo scraped his knee at the playground on Sunday.",
        ]),
        new("Which programming language is the backend written in?", [], [
            "Me: my Spanish language course starts in January",
            "The letter to the landlord is written and signed.",
        ]),
        new("How much is the monthly rent for the apartment?", [], [
            "Me: rent a van for the move on Saturday",
            "The monthly newsletter goes out on the first Monday.",
        ]),
        new("What is the name of our cat and what does she eat?", [], [
            "The name of the new project at work is Falcon.",
            "Me: what do the guests eat at the wedding buffet?",
        ]),
        new("Which flight do I take to Lisbon for the conference?", [], [
            "Me: the conference call with the bank is at 3 pm",
            "Take the umbrella, rain is forecast all week.",
        ]),
        new("What are the quarterly sales figures for the bakery?", [], [
            "The garage sale is on Saturday morning from eight.",
            "The quarterly team review is in January.",
        ]),
        new("Which houseplants need watering this week?", [], [
            "This week the bins go out on Wednesday.",
            "Me: I need a new winter coat this week",
        ]),
        new("What is the wifi password at the office?", [], [
            "The office is closed on 24 December.",
            "My email password must be changed every 90 days.",
        ]),
        new("Which guitar chords do I practise for the song?", [], [
            "The song from our wedding was Moon River.",
            "Practise the speech for the wedding twice before Friday.",
        ]),
        new("What does the tax return need this year?", [], [
            "Return the parcel with the wrong shoes to the shop by Friday.",
            "Me: I need new glasses this year",
        ]),

        // Other subjects of the same person's memory.
        new("What time is my dentist appointment?", [
            "The dentist appointment with Dr. Weber is on Tuesday at 9:30.",
            "Episode: moved the dentist appointment because of the team offsite.",
            "Me: remind me the day before my dentist appointment",
        ], [
            "Me: what time do the shops close on Sunday?",
            "I always make time for a walk after lunch.",
            "The build takes a long time on the shared machine.",
            "Episode: talked about time management and a weekly review habit.",
            "The appointment at the town hall for the new passport is in May.",
        ]),
        new("What's the deadline for the garden project?", [
            "The garden project (raised beds and a herb spiral) should be finished by 30 April.",
            "Episode: bought timber for the garden project; the deadline is tight.",
            "Me: the garden project needs topsoil delivered before April",
        ], [
            "The project at work migrates the billing service to Kubernetes.",
            "Project Falcon's budget review is on Friday.",
            "Episode: the deadline for the grant application passed; we missed it.",
            "Me: my project manager wants weekly status notes",
            "The name of the new project at work is Falcon.",
        ]),
        new("Which recipe do I use for pancakes?", [
            "Pancake recipe: 200 g flour, 2 eggs, 300 ml milk, a pinch of salt.",
            "Me: I use buttermilk in the pancakes, not plain milk",
            "Episode: made banana pancakes for Leo's breakfast.",
        ], [
            "We use 1Password for shared logins at home.",
            "Use the back door when the front gate is locked.",
            "Episode: discussed which laptop to use for video editing.",
            "Me: make a shopping list for the weekend",
        ]),
        new("When does the school term start for Leo?", [
            "Leo's school term starts on 8 January.",
            "Episode: bought new school shoes for Leo before term starts.",
            "Leo is in year 3 at Hillside Primary School.",
        ], [
            "The new term at the pottery class starts next week.",
            "Me: when does the football season start?",
            "The term deposit at the bank matures in June.",
            "Leo likes the Italian lessons at school.",
            "Leo's favourite dinosaur is the triceratops.",
        ]),
        new("What's my car's registration number?", [
            "The car's registration number is KL-AB 4821.",
            "Attachment registration.pdf: the car registration certificate, number KL-AB 4821, first registered 2019.",
        ], [
            "My phone number changed to +49 151 2345 678 in October.",
            "The house number of the new office is 42.",
            "Episode: registration for the half marathon opens in February.",
            "Me: what number should I call for the plumber?",
        ]),
        new("When does my car need its next service?", [
            "The car needs its next service at 60,000 km or in May, whichever comes first.",
            "Episode: the garage did the car's annual service and replaced the brake pads.",
            "Me: the car service light came on this morning",
            "Episode: booked the car in for its service at the garage.",
        ], [
            "The next train to Hamburg leaves every hour.",
            "The streaming service subscription renews on the 3rd.",
            "Episode: customer service promised a refund for the broken kettle.",
            "Me: the next episode of the podcast comes out on Friday",
        ]),
        new("What did we decide about the kitchen renovation budget?", [
            "Kitchen renovation budget: 18,000 euros including appliances.",
            "Episode: agreed with Tom to keep the kitchen renovation under budget by reusing the cabinets.",
            "Attachment kitchen-quote.pdf: the contractor's quote for the kitchen renovation, 16,400 euros.",
        ], [
            "We decided to skip the holiday party this year.",
            "The marketing budget for Q1 was cut by ten percent.",
            "Me: what should we decide about the car insurance?",
            "Episode: cleaned the kitchen after the dinner party.",
        ]),
        new("Who is my contact at the insurance company?", [
            "My contact at Allianz home insurance is Mr. Baumann, extension 214.",
            "Episode: called the insurance company about the water damage claim; Mr. Baumann handles it.",
        ], [
            "The contact form on the website is broken.",
            "Me: who is coming to dinner on Saturday?",
            "The company picnic is on 21 June.",
            "My contact lenses need replacing every month.",
            "Me: what should we decide about the car insurance?",
        ]),
        new("Which medication do I take for my allergy?", [
            "For the hay fever allergy I take cetirizine 10 mg each morning in spring.",
            "Episode: the pharmacist recommended a nasal spray for the allergy as well.",
            "Me: my pollen allergy is bad again this week",
        ], [
            "Take the umbrella, rain is forecast all week.",
            "Me: I take the 8:15 bus to work",
            "Episode: took the old sofa to the recycling centre.",
            "The morning standup takes fifteen minutes.",
        ]),
        new("What is my mother's new address?", [
            "My mother's new address is Gartenstraße 12, 80331 Munich.",
            "Episode: helped my mother move into her new flat in Munich.",
        ], [
            "The new address for the office newsletter is news@lighthouse.example.",
            "My email address for work changed to anna@lighthouse.example.",
            "Me: what's new in the app update?",
            "Episode: Tom's mother visited for the weekend.",
        ]),
        new("How many vacation days do I have left this year?", [
            "I have 12 vacation days left this year after the October trip.",
            "Episode: booked five vacation days for the Christmas week.",
            "Me: HR says unused vacation days expire in March",
        ], [
            "The days are getting shorter; sunset is at 16:30.",
            "The tax return is due on 31 July this year.",
            "Episode: left the keys at the office and went back for them.",
            "Me: how many people are coming to the party on Saturday?",
        ]),
        new("What's the plan for Saturday's hiking trip?", [
            "Saturday hiking trip: meet at 8:00 at the Isartal station, 14 km loop to the lake.",
            "Me: for the hiking trip on Saturday pack rain jackets and sandwiches",
            "Episode: checked the weather for the Saturday hike; sunny and 12 degrees.",
        ], [
            "The plan for the database migration is in the wiki.",
            "The business trip to Hamburg is planned for March.",
            "Me: the plan is to repaint the fence on Saturday",
            "The garage sale is on Saturday morning from eight.",
        ]),
        new("What is Tom's shoe size?", [
            "Tom's shoe size is 44 (EU), wide fit.",
            "Me: Tom needs new running shoes, size 44",
        ], [
            "The shoe shop on Marktplatz closes at six.",
            "Tom's brother lives in Vienna.",
            "The size of the photo must be under 2 MB.",
            "Episode: Leo's new shoes pinch at the toes.",
        ]),
        new("Which gym class did I sign up for?", [
            "I signed up for the Tuesday evening spin class at the FitHaus gym.",
            "Episode: first spin class at the gym; legs sore afterwards.",
        ], [
            "Me: sign the consent form for Leo's class trip",
            "The C# backend uses a sealed class per store.",
            "Episode: signed the new lease for the storage unit in the basement.",
            "The pottery class is on Wednesday evenings.",
        ]),
        new("When is the next team meeting at work?", [
            "The team meeting at work is every Monday at 10:00 in room 3.12.",
            "Episode: the team meeting moved to Wednesday this week because of the holiday.",
            "Me: add the budget review to the next team meeting agenda",
        ], [
            "The parents' meeting at school is on 14 November.",
            "The football team plays at home next Sunday.",
            "Me: I work from home on Fridays",
            "Episode: the next bus was cancelled, so I walked.",
        ]),
        new("What's the name of Leo's teacher?", [
            "Leo's teacher this year is Ms. Hoffmann.",
            "Episode: parent-teacher talk with Ms. Hoffmann about Leo's reading.",
        ], [
            "The name of the new project at work is Falcon.",
            "Leo's favourite dinosaur is the triceratops.",
            "The guitar teacher charges 40 euros per lesson.",
            "Me: what's the name of the song from the wedding?",
        ]),
        new("Which Italian restaurant did we like?", [
            "We loved the Italian restaurant Da Marco on Lindenstraße; the truffle pasta was great.",
            "Me: book Da Marco again for our anniversary, best Italian restaurant so far",
        ], [
            "The restaurant near the office does a cheap lunch menu.",
            "Leo likes the Italian lessons at school.",
            "Episode: we liked the new series on the streaming service.",
        ]),
        new("What is the password for the home router?", [
            "The home router admin password is on a sticker under the router.",
            "Episode: reset the home router after the outage; the admin password is unchanged.",
        ], [
            "The office wifi password is kept in the shared password manager, entry 'office wifi'.",
            "IT resets the office wifi password every quarter.",
            "Me: I work from home on Fridays",
            "Episode: the office wifi password changed after the router was replaced.",
            "My email password must be changed every 90 days.",
        ]),
        new("When are Leo's swimming lessons?", [
            "Leo's swimming lessons are on Thursdays at 16:00 at the Nordbad.",
            "Episode: took Leo to the swimming lesson; he can float on his back now.",
        ], [
            "Me: the piano lessons are too expensive",
            "The guitar teacher charges 40 euros per lesson.",
            "The swimming pool at the Lisbon hotel is closed in December.",
            "Leo likes the Italian lessons at school.",
            "Leo's favourite dinosaur is the triceratops.",
        ]),
        new("What's the budget for Tom's birthday present?", [
            "Budget for Tom's birthday present: about 150 euros.",
            "Me: for Tom's birthday I want to get him a turntable, keep it under 150",
        ], [
            "Kitchen renovation budget: 18,000 euros including appliances.",
            "Anna's sister Clara has her birthday on 14 March.",
            "The marketing budget for Q1 was cut by ten percent.",
            "Episode: agreed with Tom to keep the kitchen renovation under budget by reusing the cabinets.",
            "Tom's brother lives in Vienna.",
        ]),
        new("How do I reset the dishwasher when it shows error E24?", [
            "Dishwasher error E24 means a blocked drain: clean the filter, then hold Start for 3 seconds to reset it.",
            "Episode: the dishwasher showed E24 again; cleaning the filter fixed it.",
        ], [
            "IT resets the office wifi password every quarter.",
            "The error in the build log was a missing package.",
            "Me: the washing machine makes a loud noise when spinning",
            "Hold the power button for ten seconds to restart the laptop.",
        ]),
        new("When is the electricity bill due?", [
            "The electricity bill from Stadtwerke is due on the 15th of each month, 92 euros.",
            "Episode: the electricity bill went up after the new tariff.",
        ], [
            "The tax return is due on 31 July this year.",
            "Me: the library books are due back on Friday",
            "Bill from the running club said the race starts at nine.",
        ]),
        new("What's the name of the book I'm reading?", [
            "I'm reading The Overstory by Richard Powers, at page 210.",
            "Me: the book I'm reading now is about trees, The Overstory",
        ], [
            "Book a table for four at the pizzeria on Friday.",
            "The name of the new project at work is Falcon.",
            "Me: I'm reading the contract again before I sign it",
            "Episode: booked the car in for its service at the garage.",
        ]),
        new("Where did I park the car at the airport?", [
            "Parked the car at the airport in P4, level 2, row F.",
            "Me: remember I left the car in P4 at the airport",
        ], [
            "The car's registration number is KL-AB 4821.",
            "The airport train leaves from platform 3.",
            "Leo wants to go to the park on Sunday.",
            "Me: the car engine makes a rattling noise when it is cold",
        ]),
        new("How long should the chicken be roasted?", [
            "Roast chicken: 80 minutes at 190 °C, rest 10 minutes before carving.",
            "Episode: roasted a chicken for Sunday lunch; 80 minutes was right.",
        ], [
            "Me: how long is the drive to Munich?",
            "The chicken coop at Tom's parents needs a new door.",
            "The meeting should not run longer than an hour.",
            "Roasted coffee beans keep for about a month.",
        ]),
        new("When is my next haircut?", [
            "Haircut booked at Salon Rosa for 12 December at 17:00.",
            "Me: I need a haircut next week",
        ], [
            "The next train to Hamburg leaves every hour.",
            "Me: when is the next bin collection?",
            "Me: the next episode of the podcast comes out on Friday",
        ]),

        // Questions about things never discussed, over memories that share their common words.
        new("What time is it in Tokyo?", [], [
            "The build takes a long time on the shared machine.",
            "I always make time for a walk after lunch.",
            "Episode: talked about time management and a weekly review habit.",
        ]),
        new("How do I make a good espresso?", [], [
            "I always make time for a walk after lunch.",
            "Good morning routine: stretch, a glass of water, then emails.",
            "Me: make a shopping list for the weekend",
        ]),
        new("What project management tool should I use?", [], [
            "The project at work migrates the billing service to Kubernetes.",
            "We use 1Password for shared logins at home.",
            "The tool shed key hangs on the hook by the back door.",
            "Me: my project manager wants weekly status notes",
            "Use the back door when the front gate is locked.",
        ]),
        new("Who won the football world cup in 2014?", [], [
            "The football team plays at home next Sunday.",
            "Me: when does the football season start?",
            "The world map poster goes in Leo's room.",
        ]),
        new("What is the best way to learn Japanese?", [], [
            "The best way to the lake house is the B12 road.",
            "Me: I want to learn to play the piano",
        ]),
        new("How do I use the new coffee machine?", [], [
            "We use 1Password for shared logins at home.",
            "Use the back door when the front gate is locked.",
            "Me: the washing machine makes a loud noise when spinning",
        ]),
    ];

    /// <summary>Every judged pair: each topic's question with its five items (related), then <see cref="Judgements"/>.</summary>
    public static IEnumerable<(string Question, string Text, bool Related)> Pairs() =>
        Topics.SelectMany(t => t.Items.Select(i => (t.Question, i, true)))
            .Concat(Judgements.SelectMany(j => j.Related.Select(r => (j.Question, r, true)).Concat(j.Unrelated.Select(u => (j.Question, u, false)))));

    /// <summary>The tier a judged memory is stored as, from how it is written (see <see cref="Judged"/>).</summary>
    public static MemoryTier TierOf(string text) =>
        text.StartsWith("Me: ", StringComparison.Ordinal) ? MemoryTier.RawHistory
        : text.StartsWith("Episode:", StringComparison.Ordinal) ? MemoryTier.DailyEpisode
        : text.StartsWith("Attachment", StringComparison.Ordinal) ? MemoryTier.AttachmentSummary
        : MemoryTier.ArchivalFact;

    /// <summary>The tier an item of a topic is stored as: the third is an episode, one that mentions an attachment a summary, the fifth a message.</summary>
    public static MemoryTier TierOf(int index, string text) =>
        text.StartsWith("Episode:", StringComparison.Ordinal) ? MemoryTier.DailyEpisode
        : text.StartsWith("Attachment", StringComparison.Ordinal) ? MemoryTier.AttachmentSummary
        : index == 4 ? MemoryTier.RawHistory
        : MemoryTier.ArchivalFact;
}
