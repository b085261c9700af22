"""Emergency readiness (应急准备): plans by hazard and severity level, teams and their
mobilization, drills, and public alerts in CAP 1.2."""
