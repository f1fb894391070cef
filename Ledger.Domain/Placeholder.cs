namespace Ledger.Domain; internal static class Placeholder {}
