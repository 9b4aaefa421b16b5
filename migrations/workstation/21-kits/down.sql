DROP INDEX kit_components_by_component;
DROP TABLE kit_components;
