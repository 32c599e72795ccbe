-- Fills observed_usage at build time: one row per SOC code of the registered frame
-- incoming_usage (both upstream files joined), attributed to the exposure source $source_id.
INSERT INTO observed_usage
SELECT soc_code, title, score, score_user, score_ai, coverage_user, coverage_ai,
       completion_user, completion_ai, impact_scope_user, impact_scope_ai,
       feedback_positive_user, feedback_positive_ai, $source_id AS source_id
FROM incoming_usage
