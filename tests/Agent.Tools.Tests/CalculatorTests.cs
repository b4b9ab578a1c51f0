using Agent.Domain.Tools;

namespace Agent.Tools.Tests;

public sealed class CalculatorTests
{
    [Theory]
    [InlineData("1 + 2", "3")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("2 + 3 * 4", "14")]
    [InlineData("(2 + 3) * 4", "20")]
    [InlineData("2 ^ 3 ^ 2", "512")]
    [InlineData("-2 ^ 2", "4")]
    [InlineData("10 / 4", "2.5")]
    [InlineData("2 ^ -1", "0.5")]
    [InlineData("  7 - -3 ", "10")]
    [InlineData("((1.5))", "1.5")]
    public void Evaluates(string expression, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Calculator.Evaluate(expression));

    [Theory]
    [InlineData("1 / 0", "Division by zero")]
    [InlineData("(1 + 2", "Missing ')'")]
    [InlineData("1 + ", "ends where a number")]
    [InlineData("2 * x", "Unexpected 'x'")]
    [InlineData("1.2.3", "is not a number")]
    [InlineData("System.IO.File.Delete(\"a\")", "Unexpected 'S'")]
    [InlineData("10 ^ 100", "too large")]
    [InlineData("(-8) ^ 0.5", "no finite real result")]
    public void Refuses_with_a_clear_error(string expression, string message)
    {
        var ex = Assert.Throws<CalculatorException>(() => Calculator.Evaluate(expression));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow() =>
        Assert.Throws<CalculatorException>(() => Calculator.Evaluate(new string('(', 500) + "1" + new string(')', 500)));
}
