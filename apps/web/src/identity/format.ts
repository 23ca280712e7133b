/** A class's full label: 七年级(1)班, whether or not the server's class name already includes the grade. */
export function classLabel(c: { name: string; gradeName: string }): string {
  return c.gradeName && !c.name.startsWith(c.gradeName) ? `${c.gradeName}${c.name}` : c.name;
}
