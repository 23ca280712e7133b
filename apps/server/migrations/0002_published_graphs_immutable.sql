-- Published knowledge-point graph versions are immutable: the database refuses to change them,
-- whatever code path tries (the service only ever edits drafts).
CREATE OR REPLACE FUNCTION kp_refuse_published_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  vid uuid;
BEGIN
  IF TG_TABLE_NAME = 'kp_graph_versions' THEN
    IF OLD.status = 'published' THEN
      RAISE EXCEPTION 'published graph version % is immutable', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
  END IF;
  vid := COALESCE(OLD.version_id, NEW.version_id);
  IF EXISTS (SELECT 1 FROM kp_graph_versions WHERE id = vid AND status = 'published') THEN
    RAISE EXCEPTION 'published graph version % is immutable', vid USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
--> statement-breakpoint
CREATE TRIGGER kp_graph_versions_immutable BEFORE UPDATE OR DELETE ON kp_graph_versions
  FOR EACH ROW EXECUTE FUNCTION kp_refuse_published_change();
--> statement-breakpoint
CREATE TRIGGER knowledge_points_immutable BEFORE INSERT OR UPDATE OR DELETE ON knowledge_points
  FOR EACH ROW EXECUTE FUNCTION kp_refuse_published_change();
--> statement-breakpoint
CREATE TRIGGER kp_prerequisites_immutable BEFORE INSERT OR UPDATE OR DELETE ON kp_prerequisites
  FOR EACH ROW EXECUTE FUNCTION kp_refuse_published_change();
--> statement-breakpoint
CREATE TRIGGER kp_domains_immutable BEFORE INSERT OR UPDATE OR DELETE ON kp_domains
  FOR EACH ROW EXECUTE FUNCTION kp_refuse_published_change();
