namespace OutreachOS.Triage.Contracts;

/// <summary>Marks the Triage module's public contracts assembly.</summary>
public static class TriageContractsAssembly;
