namespace OutreachOS.Credits.Contracts;

/// <summary>Marks the Credits module's public contracts assembly.</summary>
public static class CreditsContractsAssembly;
