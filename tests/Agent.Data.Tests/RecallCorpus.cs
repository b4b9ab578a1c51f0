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

    /// <summary>The tier an item of a topic is stored as: the third is an episode, one that mentions an attachment a summary, the fifth a message.</summary>
    public static MemoryTier TierOf(int index, string text) =>
        text.StartsWith("Episode:", StringComparison.Ordinal) ? MemoryTier.DailyEpisode
        : text.StartsWith("Attachment", StringComparison.Ordinal) ? MemoryTier.AttachmentSummary
        : index == 4 ? MemoryTier.RawHistory
        : MemoryTier.ArchivalFact;
}
