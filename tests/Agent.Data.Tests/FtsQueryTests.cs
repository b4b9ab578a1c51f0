using Agent.Data.Stores;

namespace Agent.Data.Tests;

public sealed class FtsQueryTests
{
    [Fact]
    public void A_question_becomes_its_subject_words_quoted_so_no_fts_syntax_passes_through()
    {
        Assert.Equal(["sister", "clara", "birthday", "party"], FtsQuery.Terms("When is my sister Clara's birthday party?"));
        Assert.Equal("\"near\" OR \"kitchen\"", FtsQuery.ForRecall("NEAR kitchen* -- \"AND\" OR"));
        Assert.Null(FtsQuery.ForRecall("What is it that you have?"));
    }

    [Fact]
    public void Search_needs_every_word_and_takes_the_last_as_a_prefix()
    {
        Assert.Equal("\"green\" AND \"te\"*", FtsQuery.ForSearch("green te"));
        Assert.Null(FtsQuery.ForSearch("  "));
    }
}
