namespace OutreachOS.Ingestion.Contracts;

/// <summary>Marks the Ingestion module's public contracts assembly.</summary>
public static class IngestionContractsAssembly;
