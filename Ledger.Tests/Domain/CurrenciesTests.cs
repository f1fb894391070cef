using Ledger.Domain.Money;

namespace Ledger.Tests.Domain;

public class CurrenciesTests
{
    [Theory]
    [InlineData("USD")]
    [InlineData("EUR")]
    [InlineData("XYZ")]
    public void three_ascii_upper_case_letters_are_a_well_formed_currency_code(string code) =>
        Currencies.IsWellFormed(code).ShouldBeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("usd")]
    [InlineData("US")]
    [InlineData("USDX")]
    [InlineData("US1")]
    [InlineData(" USD")]
    [InlineData("ÜSD")]
    public void anything_else_is_not_a_well_formed_currency_code(string? code) =>
        Currencies.IsWellFormed(code).ShouldBeFalse();
}
