export { default } from '../../tsup.adapter';
