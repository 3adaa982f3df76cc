-- Defaults that follow from the data (issue #12): train_sgd's block_size and learning_rate default to NULL, so the
-- engine chooses them (operators' TrainSpec and Sizing): block and buffer sizes derived from the table and capped by
-- the GUC corgipile.buffer_memory, and the learning rate that goes with standardised features and iterate averaging.
-- An explicit argument still wins.
--
-- Only the two defaults change. The function's body is whatever earlier migrations made it, so it is rewritten from
-- its own definition (pg_get_functiondef) instead of being repeated here.
DO $migration$
DECLARE
    f   oid;
    def text;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p WHERE p.proname = 'train_sgd' AND pg_function_is_visible(p.oid) LOOP
        def := pg_get_functiondef(f);
        def := regexp_replace(def, '(block_size integer DEFAULT )1280\M', '\1NULL::integer');
        def := regexp_replace(def, '(learning_rate double precision DEFAULT )0\.1\M', '\1NULL::double precision');
        EXECUTE def;
    END LOOP;
END
$migration$;
