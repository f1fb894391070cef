namespace Ledger.EventStore; internal static class Placeholder {}
