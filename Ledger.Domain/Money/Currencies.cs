namespace Ledger.Domain.Money;

public static class Currencies
{
    // Only the shape of a code is domain knowledge; which codes are supported is configuration.
    public static bool IsWellFormed(string? code) =>
        code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);
}
