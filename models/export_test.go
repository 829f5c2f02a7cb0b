package models

// CaseColumnNamesForTest exposes the explicit column list of TakeCase.
const CaseColumnNamesForTest = caseColumnNames

// TakeCaseScanForTest is TakeCase without its GORM fallback.
var TakeCaseScanForTest = takeCaseScan
