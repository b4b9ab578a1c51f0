using System.Globalization;

namespace Agent.Domain.Tools;

/// <summary>A refused calculator expression, with the position of the problem.</summary>
public sealed class CalculatorException(string message) : Exception(message);

/// <summary>
/// A small safe evaluator: numbers with decimals, + - * / ^ (right-associative), unary minus and parentheses.
/// Nothing is compiled or executed; decimal arithmetic, so 0.1 + 0.2 is 0.3.
/// </summary>
public static class Calculator
{
    public const int MaxLength = 1000;
    private const int MaxDepth = 100;

    public static decimal Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length > MaxLength)
        {
            throw new CalculatorException($"The expression is longer than {MaxLength} characters.");
        }

        var parser = new Parser(expression);
        var value = parser.ParseExpression(0);
        parser.SkipSpaces();
        if (!parser.AtEnd)
        {
            throw new CalculatorException($"Unexpected '{expression[parser.Position]}' at position {parser.Position + 1}.");
        }

        return value;
    }

    private sealed class Parser(string text)
    {
        public int Position { get; private set; }

        public bool AtEnd => Position >= text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        private char? Peek()
        {
            SkipSpaces();
            return AtEnd ? null : text[Position];
        }

        // expression := term (('+' | '-') term)*
        public decimal ParseExpression(int depth)
        {
            Guard(depth);
            var value = ParseTerm(depth);
            while (Peek() is '+' or '-')
            {
                var op = text[Position++];
                var right = ParseTerm(depth);
                value = Checked(() => op == '+' ? value + right : value - right);
            }

            return value;
        }

        // term := power (('*' | '/') power)*
        private decimal ParseTerm(int depth)
        {
            var value = ParsePower(depth);
            while (Peek() is '*' or '/')
            {
                var op = text[Position++];
                var right = ParsePower(depth);
                if (op == '/' && right == 0)
                {
                    throw new CalculatorException("Division by zero.");
                }

                value = Checked(() => op == '*' ? value * right : value / right);
            }

            return value;
        }

        // power := unary ('^' power)?
        private decimal ParsePower(int depth)
        {
            var value = ParseUnary(depth);
            if (Peek() == '^')
            {
                Position++;
                var exponent = ParsePower(depth + 1);
                value = Power(value, exponent);
            }

            return value;
        }

        // unary := ('-' | '+') unary | primary
        private decimal ParseUnary(int depth)
        {
            Guard(depth);
            var c = Peek();
            if (c is '-' or '+')
            {
                Position++;
                var operand = ParseUnary(depth + 1);
                return c == '-' ? -operand : operand;
            }

            return ParsePrimary(depth);
        }

        private decimal ParsePrimary(int depth)
        {
            var c = Peek();
            if (c is null)
            {
                throw new CalculatorException("The expression ends where a number was expected.");
            }

            if (c == '(')
            {
                Position++;
                var value = ParseExpression(depth + 1);
                if (Peek() != ')')
                {
                    throw new CalculatorException($"Missing ')' at position {Position + 1}.");
                }

                Position++;
                return value;
            }

            var start = Position;
            while (!AtEnd && (char.IsAsciiDigit(text[Position]) || text[Position] == '.'))
            {
                Position++;
            }

            if (start == Position)
            {
                throw new CalculatorException($"Unexpected '{text[start]}' at position {start + 1}.");
            }

            var token = text[start..Position];
            if (!decimal.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                throw new CalculatorException($"'{token}' at position {start + 1} is not a number.");
            }

            return number;
        }

        private static void Guard(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new CalculatorException($"The expression nests deeper than {MaxDepth} levels.");
            }
        }
    }

    private static decimal Power(decimal value, decimal exponent)
    {
        if (exponent == decimal.Truncate(exponent) && Math.Abs(exponent) <= 1000)
        {
            var n = (int)Math.Abs(exponent);
            if (value == 0 && exponent < 0)
            {
                throw new CalculatorException("Division by zero.");
            }

            var result = 1m;
            var b = value;
            while (n > 0)
            {
                if ((n & 1) == 1)
                {
                    result = Checked(() => result * b);
                }

                n >>= 1;
                if (n > 0)
                {
                    b = Checked(() => b * b);
                }
            }

            return exponent < 0 ? 1m / result : result;
        }

        var d = Math.Pow((double)value, (double)exponent);
        if (double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) > (double)decimal.MaxValue)
        {
            throw new CalculatorException($"{value}^{exponent} has no finite real result.");
        }

        return (decimal)d;
    }

    private static decimal Checked(Func<decimal> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new CalculatorException("The result is too large.");
        }
    }
}
