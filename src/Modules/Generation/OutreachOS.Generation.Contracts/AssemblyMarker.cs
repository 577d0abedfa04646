namespace OutreachOS.Generation.Contracts;

/// <summary>Marks the Generation module's public contracts assembly.</summary>
public static class GenerationContractsAssembly;
