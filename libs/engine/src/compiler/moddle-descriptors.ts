import { BpmnModdle, type PackageDefinition, type TypeDefinition } from 'bpmn-moddle';
import camundaJson from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };
import zeebeJson from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };

export const CAMUNDA_NAMESPACE = 'http://camunda.org/schema/1.0/bpmn';
/** Camunda 7 reads the Activiti namespace as its own, so models exported by Activiti-era tools keep working. */
export const ACTIVITI_NAMESPACE = 'http://activiti.org/bpmn';

export const camundaDescriptor = camundaJson as unknown as PackageDefinition;
export const zeebeDescriptor = zeebeJson as unknown as PackageDefinition;

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);
const extendsBpmn = (type: TypeDefinition): boolean => (type.extends ?? []).some((name) => name.startsWith('bpmn:'));
const sameTargets = (a: TypeDefinition, b: TypeDefinition): boolean =>
  [...(a.extends ?? [])].sort().join() === [...(b.extends ?? [])].sort().join();

/**
 * Both dialects add attributes to BPMN elements, and both add `modelerTemplate` and `modelerTemplateVersion` to
 * the same elements. moddle refuses two properties of one name on a type, and when it meets such a type while
 * reading it drops the whole `bpmn:process` with a mere warning. The modeler avoids the clash by loading one dialect
 * per diagram; we read both at once, so the derived Camunda 8 descriptor *redefines* each clashing property of
 * Camunda 7 instead of adding a second one. moddle then reads `zeebe:modelerTemplate` and `camunda:modelerTemplate`
 * into one slot (both are modelling metadata only) and every other type and property of both stays as published.
 * A clash of any other shape would be a new descriptor version: it fails loudly here rather than losing processes.
 */
export function deriveZeebeDescriptor(camunda: PackageDefinition, zeebe: PackageDefinition): PackageDefinition {
  const camundaTraits = camunda.types.filter(extendsBpmn);
  const types = zeebe.types.map((type): TypeDefinition => {
    if (!extendsBpmn(type) || type.properties === undefined) return type;
    const properties = type.properties.map((property) => {
      const clashing = camundaTraits.find((trait) =>
        (trait.properties ?? []).some((candidate) => localName(candidate.name) === localName(property.name)),
      );
      if (clashing === undefined) return property;
      const sharesAllTargets = sameTargets(type, clashing);
      const overlaps = (type.extends ?? []).some((target) => (clashing.extends ?? []).includes(target));
      if (!sharesAllTargets) {
        if (!overlaps) return property;
        throw new Error(
          `zeebe:${type.name}#${property.name} clashes with ${camunda.prefix}:${clashing.name} on other elements: ` +
            'update deriveZeebeDescriptor for this descriptor version',
        );
      }
      return { ...property, redefines: `${camunda.prefix}:${clashing.name}#${localName(property.name)}` };
    });
    return { ...type, properties };
  });
  return { ...zeebe, types };
}

export const zeebeDescriptorForBothDialects = deriveZeebeDescriptor(camundaDescriptor, zeebeDescriptor);

/** A reader of BPMN 2.0 with both extension dialects. Readers keep no state between documents, so one is shared. */
export function createBpmnReader(): BpmnModdle {
  // Order matters: the derived Camunda 8 descriptor redefines properties that Camunda 7 must have defined first.
  return new BpmnModdle({ camunda: camundaDescriptor, zeebe: zeebeDescriptorForBothDialects });
}
